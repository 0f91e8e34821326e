/* no_symbol_plugin.c: a shared object that is not an attnbench plugin (no attn_plugin_impls). */
int not_a_plugin(void);
int not_a_plugin(void) { return 0; }
