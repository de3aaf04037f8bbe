/* One strided elementwise kernel, instantiated per (op, dtypes) by elementwise.py:
 * operand 0 is the output, operands 1.. the inputs; broadcasting is a zero stride.
 * The placeholders (name, out_t, params, nops, loads, store) are filled from Python:
 * loads reads the inputs as a, b, c at offsets o[k] + j * s[k] and computes the value v;
 * store converts and writes. Each work-item covers CHUNK positions (see common.cl). */
__kernel void $name(__global $out_t *out, $params __global const geom *g) {
    CHUNKED_WALK_BEGIN(g, $nops)
            $loads
            $store
    CHUNKED_WALK_END(g, $nops)
}
