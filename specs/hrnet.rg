resgraph 1
# Wang, Sun, Cheng, Jiang, Deng, Zhao, Liu, Mu, Tan, Wang, Liu, Xiao. "Deep High-Resolution
# Representation Learning for Visual Recognition", TPAMI 2020: HRNet for classification in
# timm's layout and names (timm.models.hrnet). After a ResNet stem and stage, the network
# keeps parallel branches of halving resolution and doubling width; each stage adds one
# branch (a strided 3x3 convolution of the coarsest), runs basic blocks on every branch and
# exchanges features: each branch's output is the sum of every branch's, a finer one strided
# down by 3x3 convolutions, a coarser one projected by a 1x1 convolution and upsampled by
# nearest neighbour (section 3, Fig. 3). The classification head widens each branch with a
# bottleneck and merges them from fine to coarse by strided 3x3 convolutions (Fig. 6).

variant hrnet_w18_small(width=16, layer1_blocks=1, layer1_planes=32, blocks=2, modules3=1, modules4=1) "HRNet-W18-Small (v1)"
variant hrnet_w18_small_v2(width=18, layer1_blocks=2, layer1_planes=64, blocks=2, modules3=3, modules4=2) "HRNet-W18-Small-v2"
variant hrnet_w18(width=18) "HRNet-W18"
variant hrnet_w32(width=32) "HRNet-W32"

param width = 18
param layer1_blocks = 4
param layer1_planes = 64
param blocks = 4
param modules3 = 4
param modules4 = 3
param num_classes = 1000
param image = 224

require width >= 1, "width, the finest branch's channels, must be at least 1"
require layer1_blocks >= 1 and blocks >= 1, "layer1_blocks and blocks must be at least 1"
require modules3 >= 1 and modules4 >= 1, "modules3 and modules4, the modules of stages 3 and 4, must be at least 1"
require image % 32 == 0, "image must be a multiple of 32: the coarsest branch has stride 32"
# the channels of each branch, finest first, and of the head's bottleneck on each
let widths = [width * 2 ** b for b in range(4)]
let heads = [32 * 2 ** b for b in range(4)]
# the modules of stages 2, 3 and 4 (stage 2 has one in every HRNet of the paper)
let modules = [1, modules3, modules4]

block conv_bn(out, stride = 1, act = true) "a 3x3 convolution, batch norm and ReLU (timm's nn.Sequential of them: 0, 1, 2)" {
  x = 0: conv(3, out, stride=stride) -> 1: bn
  if act {
    x = x -> 2: relu
  }
  x
}

block fuse(i, branches) "branch i's exchange unit: every branch's maps brought to branch i's resolution and width and summed in order (a finer one through strided 3x3 convolutions, a coarser one through a 1x1 convolution and nearest upsampling), then a ReLU" {
  let out = channels(branches[i])
  y = input
  for j in range(len(branches)) {
    if j == i {
      t = input
    } elif j > i {
      t = branches[j] -> f"{j}.0": conv(1, out) -> f"{j}.1": bn
        -> f"{j}.2": interpolate(scale=2.0 ** (j - i))
    } else {
      t = branches[j]
      for k in range(i - j) {
        if k < i - j - 1 {
          t = t -> f"{j}.{k}": conv_bn(channels(branches[j]), 2)
        } else {
          t = t -> f"{j}.{k}": conv_bn(out, 2, act=false)
        }
      }
    }
    if j == 0 {
      y = t
    } else {
      y = add(y, t)
    }
  }
  y -> relu
}

block down_add(out, incre) "the head's merge: the finer merged maps through a strided 3x3 convolution (with a bias), added to this branch's widened maps" {
  down = 0: conv(3, out, stride=2, bias=true) -> 1: bn -> 2: relu
  add(incre, down)
}

network hrnet "HRNet for classification (Wang et al. 2020), timm layout"
input [3, image, image]
stem {
  conv1: conv(3, 64, stride=2) -> bn1: bn -> relu
  conv2: conv(3, 64, stride=2) -> bn2: bn -> relu
}
stage layer1: bottleneck(layer1_planes) x layer1_blocks at f"layer1.{i}"

# stages 2 to 4: stage s has s branches; the branch it adds strides the coarsest one down,
# a branch whose width changes (only after layer1) is convolved, the others go on as they are
for s in range(2, 5) {
  for b in s == 2 ? [0] : [] {
    stage f"transition{s}_{b}": conv_bn(widths[b]) x 1 at f"transition1.{b}" on layer1
  }
  let coarsest = s == 2 ? "layer1" : f"fuse{s - 1}_{modules[s - 3] - 1}_{s - 2}"
  stage f"transition{s}_{s - 1}": conv_bn(widths[s - 1], 2) x 1 at f"transition{s - 1}.{s - 1}.0" on results[coarsest]
  for m in range(modules[s - 2]) {
    for b in range(s) {
      let start = m > 0 ? f"fuse{s}_{m - 1}_{b}" : b == s - 1 or s == 2 ? f"transition{s}_{b}" : f"fuse{s - 1}_{modules[s - 3] - 1}_{b}"
      stage f"branch{s}_{m}_{b}": basic(widths[b]) x blocks at f"stage{s}.{m}.branches.{b}.{i}" on results[start]
    }
    for b in range(s) {
      stage f"fuse{s}_{m}_{b}": fuse(b, [results[f"branch{s}_{m}_{j}"] for j in range(s)]) x 1 at f"stage{s}.{m}.fuse_layers.{b}" on results[f"branch{s}_{m}_{b}"]
    }
  }
}
# the head: each branch widened by a bottleneck, merged from the finest to the coarsest
for b in range(4) {
  stage f"incre{b}": bottleneck(heads[b]) x 1 at f"incre_modules.{b}.0" on results[f"fuse4_{modules[2] - 1}_{b}"]
}

stage merge1: down_add(heads[1] * 4, results["incre1"]) x 1 at "downsamp_modules.0" on incre0
stage merge2: down_add(heads[2] * 4, results["incre2"]) x 1 at "downsamp_modules.1" on merge1
stage merge3: down_add(heads[3] * 4, results["incre3"]) x 1 at "downsamp_modules.2" on merge2
head on merge3 {
  final_layer.0: conv(1, 2048, bias=true) -> final_layer.1: bn -> relu
  global_pool: global_avgpool -> flatten -> head_drop: dropout(0.0)
    -> classifier: linear(num_classes)
}
