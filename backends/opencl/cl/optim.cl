/* adam_update: one pass over a parameter and its moments, in place (ops/optim.py has the
 * arithmetic; each line below is one of its expressions, in its order). Operands of the
 * chunked walk (common.cl): 0 param, 1 grad, 2 exp_avg, 3 exp_avg_sq. Floating dtypes. */
__kernel void K(adam_update)(__global T *p, __global const T *g, __global T *m,
                             __global T *v, __global const geom *geo, C beta1, C beta2,
                             C eps, C neg_step_size, C bc2_sqrt, int lerp_small) {
    const C w = (C)1 - beta1;
    CHUNKED_WALK_BEGIN(geo, 4)
            long op = o[0] + j * s[0], og = o[1] + j * s[1], om = o[2] + j * s[2],
                 ov = o[3] + j * s[3];
            C gj = LD(g, og), mj = LD(m, om), vj = LD(v, ov);
            C d = gj - mj;
            mj = lerp_small ? mj + w * d : gj - d * ((C)1 - w);
            vj = vj * beta2 + gj * ((C)1 - beta2) * gj;
            C denom = sqrt(vj) / bc2_sqrt + eps;
            ST(m, om, mj);
            ST(v, ov, vj);
            ST(p, op, LD(p, op) + mj * neg_step_size / denom);
    CHUNKED_WALK_END(geo, 4)
}
