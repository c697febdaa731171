"""lower_fx: the GraphModule runs, re-traces, exports, and equals an independent ResNet."""

import torch
from torch import nn

import resgraph


class Basic(nn.Module):
    """A plain torchvision-style BasicBlock, written here independently of resgraph."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        skip = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + skip)


class TinyResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1 = nn.Sequential(Basic(8, 8, 1), Basic(8, 8, 1))
        self.layer2 = nn.Sequential(Basic(8, 16, 2))
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


TINY = """resgraph 1
network tiny
input 3x16x16
stem {
  conv1: conv(3, 8) -> bn1: bn -> relu
}
stage layer1: basic(8) x 2
stage layer2: basic(16) x 1 stride 2
head {
  global_avgpool -> flatten
  fc: linear(5)
}
"""


def _randomise_bn(model):
    g = torch.Generator().manual_seed(0)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) + 0.5)


def test_forward_equals_an_independent_implementation():
    torch.manual_seed(0)
    ref = TinyResNet()
    _randomise_bn(ref)
    ref.eval()
    gm = resgraph.compile(TINY).eval()
    gm.load_state_dict(ref.state_dict(), strict=True)
    x = torch.randn(2, 3, 16, 16)
    torch.testing.assert_close(gm(x), ref(x), rtol=1e-5, atol=1e-5)


def test_meta_device_builds_without_memory():
    gm = resgraph.compile("resnet152", device="meta")
    assert all(p.is_meta for p in gm.parameters())


def test_symbolic_trace_and_export_and_meta_keys():
    gm = resgraph.compile("cifar_resnet20").eval()
    x = torch.randn(2, 3, 32, 32)
    retraced = torch.fx.symbolic_trace(gm)
    torch.testing.assert_close(retraced(x), gm(x))
    program = torch.export.export(gm, (x,))
    torch.testing.assert_close(program.module()(x), gm(x))
    convs = [n for n in gm.graph.nodes if n.meta.get("resgraph.op") == "conv"]
    assert convs[0].meta["resgraph.scope"] == "conv1"
    assert convs[0].meta["resgraph.span"].file == "specs/cifar_resnet.rg"


def test_option_a_shortcut_is_parameter_free_and_pads():
    gm = resgraph.compile("cifar_resnet20").eval()
    assert not any("downsample" in name for name, _ in gm.named_parameters())
    y = gm(torch.randn(1, 3, 32, 32))
    assert y.shape == (1, 10)


def test_zero_init_last_bn():
    gm = resgraph.compile("resnet18", zero_init=True)
    assert torch.count_nonzero(gm.get_submodule("layer1.0.bn2").weight) == 0
    assert torch.count_nonzero(gm.get_submodule("layer1.0.bn1").weight) > 0


def test_torch_compile_traces_the_module():
    # aot_eager runs dynamo and AOTAutograd without generating C++, so the test stays fast;
    # the benchmarks run inductor.
    gm = resgraph.compile(TINY).eval()
    x = torch.randn(2, 3, 16, 16)
    compiled = torch.compile(gm, backend="aot_eager", fullgraph=True)
    torch.testing.assert_close(compiled(x), gm(x))
