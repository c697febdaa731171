resgraph 1
network aux
input 3x32x32
stem { conv(3, 8) }
stage layer1: basic(8) x 1
head { logits = global_avgpool -> flatten -> fc: linear(10) }
head on layer1 { aux = aux: conv(1, 10) -> global_avgpool -> flatten }
output logits
output training logits, aux
output training aux, logits
