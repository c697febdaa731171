resgraph 1
# The RegNetX design space at 400 MF (Radosavovic et al. 2020, "Designing Network Design
# Spaces"), sampled as pycls samples it: the ranges and quanta of its RegNet sampler
# (pycls/sweep/config.py, SAMPLERS.REGNET_SAMPLER; pycls/sweep/samplers.py, regnet_sampler).
# pycls draws GROUP_W by power2_or_log_uniform(8, 128, 8), which is log_uniform(8, 128, 8)
# when low equals q; BOT_MUL is [1, 1] (regnet_x_400mf's bottleneck_ratio 1.0), and
# regnet_x_400mf has no SE (se_ratio 0.0): RegNetX.
sweep regnetx_400mf of regnet_x_400mf {
    sample depth = int(12, 28)
    sample w0 = log_uniform(8, 256, 8)
    sample wa = log_uniform(8.0, 256.0, 0.1)
    sample wm = log_uniform(2.0, 3.0, 0.001)
    sample group_width = log_uniform(8, 128, 8)
    samples 16000
    # the paper's population: draw until 1,000 pass the constraint (pycls's NUM_CONFIGS)
    accept 1000
    seed 0
    # pycls's flops are multiply-adds; 4 stages (pycls's NUM_STAGES [4, 4]) is an output
    # stride of 32
    where macs <= 400e6 and output_stride == 32
    measure analyze
    pareto macs, params
}
