resgraph 1
# One squeeze-excitation block, paths hand-counted in test_analysis_paths: stem conv; a block
# whose residual branch is conv1 then SE (fc1, fc2); fc. Paths: the shortcut
# (1 + 0 + 1 = 2 layers), the value route (1 + 1 + 1 = 3), the gate route (1 + 3 + 1 = 5).
block se_block(out) "a conv and squeeze-excitation on the residual branch" {
  res = conv1: conv(3, out) -> relu -> se: squeeze_excitation(4)
  add(res, input)
}
network tiny_se "one SE block"
input 8x8x8
stem { conv1: conv(3, 8) }
stage layer1: se_block(8) x 1
head {
  avgpool: global_avgpool -> flatten
  fc: linear(10)
}
