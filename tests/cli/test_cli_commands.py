"""The core subcommands, run in-process."""

import json

import torch

from resgraph.cli import main
from resgraph.cli.args import parse_value


def test_check_json(capsys):
    assert main(["check", "resnet50", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["params"] == 25_557_032 and data["output"] == "1000"


def test_check_names_every_output_of_a_network_of_several(capsys):
    assert main(["check", "fcn_resnet50", "--set", "image=64"]) == 0
    assert "outputs out 21x64x64, aux 21x64x64" in capsys.readouterr().out
    assert main(["check", "fcn_resnet50", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"] == {"out": "21x520x520", "aux": "21x520x520"}
    assert data["output"] == "21x520x520"


def test_explain_names_every_block(capsys):
    assert main(["explain", "resnet18", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    blocks = [b["name"] for s in data["stages"] for b in s["blocks"]]
    assert blocks[0] == "layer1.0" and len(blocks) == 8
    assert data["stages"][1]["blocks"][0]["args"]["stride"] == 2


def test_explain_table(capsys):
    assert main(["explain", "cifar_resnet20"]) == 0
    assert "stage layer2: basic x 3, stride 2" in capsys.readouterr().out


def test_fmt_check_and_write(tmp_path, capsys):
    f = tmp_path / "n.rg"
    f.write_text("resgraph 1\nnetwork n\ninput 3x8x8\nstem {conv(3,4);bn}\n")
    assert main(["fmt", str(f), "--check"]) == 1
    assert main(["fmt", str(f), "--write"]) == 0
    assert main(["fmt", str(f), "--check"]) == 0
    assert "stem {\n  conv(3, 4)\n  bn\n}" in f.read_text()


def test_compile_writes_a_loadable_program(tmp_path, capsys):
    out = tmp_path / "net.pt2"
    assert main(["compile", "cifar_resnet20", "-o", str(out), "--batch", "2"]) == 0
    program = torch.export.load(out)
    assert program.module()(torch.randn(2, 3, 32, 32)).shape == (2, 10)


def test_list(capsys):
    assert main(["list", "--json"]) == 0
    names = {e["name"] for e in json.loads(capsys.readouterr().out)}
    assert {"resnet50", "cifar_resnet110", "preact_resnet1001"} <= names


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "resgraph check resnet50" in capsys.readouterr().out


def test_set_values_are_typed():
    assert parse_value("101") == 101
    assert parse_value("true") is True
    assert parse_value('"3x3"') == "3x3"
    assert parse_value("3x3") == (3, 3)
    assert parse_value("[1, 2]") == [1, 2]
    assert parse_value("hello world") == "hello world"
