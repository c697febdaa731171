resgraph 1
# Two MBConv blocks with SE, paths hand-counted in test_analysis_paths: the first keeps its
# shape and has the identity shortcut (routes of 0, 3 and 5 layers: expansion, depthwise,
# projection, and fc1, fc2 on the gate route), the second strides and has none (3 or 5); the
# stem conv and fc add 2.
network two_mbconv "an MBConv with a shortcut, then one without"
input 3x16x16
stem { conv1: conv(3, 8) }
stage keep: mbconv(8, expanded=16, squeeze=2) x 1
stage down: mbconv(16, stride=2, expanded=32, squeeze=2) x 1
head {
  avgpool: global_avgpool -> flatten
  fc: linear(10)
}
