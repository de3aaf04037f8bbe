/* One strided elementwise kernel, instantiated per (op, dtypes) by elementwise.py:
 * operand 0 is the output, operands 1.. the inputs; broadcasting is a zero stride.
 * The placeholders (name, out_t, params, nops, loads, store) are filled from Python:
 * loads reads the inputs as a, b, c at offsets o[k] + j * s[k] and computes the value v;
 * store converts and writes. Each work-item covers CHUNK positions (see common.cl). */
__kernel void $name(__global $out_t *out, $params __global const geom *g) {
    long p = get_global_id(0) * CHUNK;
    long end = min(p + CHUNK, g->n);
    if (p >= end) return;
    long o[$nops], idx[MAXD], s[$nops];
    tw_walk_start(g, p, o, idx, $nops);
    int last = (int)g->nd - 1;
    for (int k = 0; k < $nops; ++k) s[k] = g->st[k][last];
    while (p < end) {
        long run = min(g->shape[last] - idx[last], end - p);
        for (long j = 0; j < run; ++j) {
            $loads
            $store
        }
        p += run;
        tw_walk_step(g, run, o, idx, $nops);
    }
}
