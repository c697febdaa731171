resgraph 1
# a small family for the sweep tests: groups other than 1 fail the basic block's 'require';
# tag changes nothing, so candidates differing only in it are duplicates
param width = 8
param depth = 1
param groups = 1
param shortcut = "B"
param tag = 0

network swept "two stages of basic blocks on 16x16 inputs"
input 3x16x16
stem {
  conv1: conv(3, width) -> bn1: bn -> relu
}
stage layer1: basic(width, groups=groups, shortcut=shortcut) x depth
stage layer2: basic(width * 2, shortcut=shortcut) x depth stride 2
head {
  avgpool: global_avgpool -> flatten
  fc: linear(5)
}
