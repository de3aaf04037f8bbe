/* One strided elementwise kernel, instantiated per (op, dtypes) by elementwise.py:
 * operand 0 is the output, operands 1.. the inputs; broadcasting is a zero stride.
 * The placeholders (name, out_t, params, nops, loads, store) are filled from Python:
 * loads reads the inputs as a, b, c and computes the value v; store converts and writes. */
__kernel void $name(__global $out_t *out, $params __global const geom *g) {
    long i = get_global_id(0);
    if (i >= g->n) return;
    long o[NOPS];
    tw_offsets(g, i, o, $nops);
    $loads
    $store
}
