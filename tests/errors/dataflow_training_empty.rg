resgraph 1
network aux
input 3x32x32
stem { conv(3, 8) }
stage layer1: basic(8) x 1
head { logits = global_avgpool -> flatten -> fc: linear(10) }
output logits
output training
