resgraph 1
network bad
input 3x32x32
stage layer1: basic(16) x 2 stride 2
stage layer2: basic(32, shortcut="Z") x 2 stride 2
stage layer3: bottelneck(64) x 2 stride 2
stage layer4: basic(128) x 2 stride 2 {
  1: shortcat="C"
}
