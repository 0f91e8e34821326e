/* test_topo.c: the hwloc topology as results.json records it, and binding: every thread ends
 * on its own PU, as the kernel reports back. */
#include "test_util.h"

#include "topo.h"

static void test_topology_json(void **st)
{
    (void)st;
    assert_int_equal(topo_load(), 0);
    json_t *t = topo_json();
    assert_true(json_integer_value(json_object_get(t, "pus")) >= topo_cores());
    assert_true(json_integer_value(json_object_get(t, "cores")) == topo_cores());
    json_t *caches = json_object_get(t, "caches");
    assert_true(json_array_size(caches) >= 1);
    json_t *l1 = json_array_get(caches, 0);
    assert_int_equal(json_integer_value(json_object_get(l1, "level")), 1);
    assert_true(json_integer_value(json_object_get(l1, "size_bytes")) > 0);
    assert_true(topo_llc_total_bytes() >= (size_t)json_integer_value(json_object_get(l1, "size_bytes")));
    json_decref(t);
}

/* Count of distinct numbers in "a,b,c", all of them valid PUs. */
static int distinct_pus(const char *list)
{
    int seen[4096] = {0}, n = 0;
    for (const char *s = list; *s;) {
        int pu = atoi(s);
        assert_true(pu >= 0 && pu < 4096);
        n += !seen[pu];
        seen[pu] = 1;
        s += strcspn(s, ",");
        s += *s == ',';
    }
    return n;
}

static void test_binding(void **st)
{
    (void)st;
    char pus[256];
    assert_int_equal(topo_bind(BIND_COMPACT, topo_pus(), pus, sizeof pus), 0);
    assert_int_equal(distinct_pus(pus), topo_pus());
    assert_int_equal(topo_bind(BIND_SPREAD, topo_cores(), pus, sizeof pus), 0);
    assert_int_equal(distinct_pus(pus), topo_cores());
    assert_int_equal(topo_bind(BIND_COMPACT, 1, pus, sizeof pus), 0);
    assert_int_equal(distinct_pus(pus), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topology_json),
        cmocka_unit_test(test_binding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
