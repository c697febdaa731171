"""Every ``meta`` key resgraph writes: the contract between the passes and whoever reads them.

A pass writes only its own keys; the report, the renderer and the backends read them and never
recompute. A reader asks for a pass through :func:`resgraph.analysis.passes.ensure` with the
parameters it needs: the pass reruns only when :data:`RAN_WITH` says its last run used other
ones, so a graph analysed at batch 1 and then drawn at batch 8 shows batch 8's figures.
"""

from __future__ import annotations

# on IR nodes (Node.meta) ------------------------------------------------------------------------

#: int, pass ``costs``: multiply-accumulates of conv and linear at the batch (biases not
#: counted): torchvision's published figure, ``FlopCounterMode``'s total ÷ 2
MACS = "resgraph.macs"
#: int, pass ``costs``: every floating-point operation once at the batch (see :mod:`resgraph.ops`)
FLOPS = "resgraph.flops"
#: int, pass ``costs``: trainable parameters (independent of the batch)
PARAMS = "resgraph.params"
#: int, pass ``costs``: elements of the non-trainable buffers (BN running statistics and
#: ``num_batches_tracked``)
BUFFERS = "resgraph.buffers"
#: int, pass ``memory``: bytes of the node's output at the batch and dtype (0 for views)
ACTIVATION_BYTES = "resgraph.activation_bytes"
#: pass ``receptive_fields``: ``{"size": (h, w), "stride": (h, w), "start": (h, w)}``, ints, in
#: input pixels: output pixel ``i`` sees input pixels ``start + i·stride`` to ``… + size − 1``
RF = "resgraph.rf"
#: pass ``paths``: ``{"count": int, "shortest": int, "longest": int}``: the input-to-node paths
#: and their shortest and longest lengths in weighted layers (the node's own included)
PATHS = "resgraph.paths"

# on the graph (Graph.meta) ----------------------------------------------------------------------

#: every pass: ``{pass name: {"input_shape": …, and each parameter it takes: value}}``, the
#: parameters of the run whose results the graph holds
RAN_WITH = "resgraph.ran_with"
#: :class:`resgraph.analysis.memory.Memory`, pass ``memory``: totals and the peak live set
MEMORY = "resgraph.memory"
#: ``{counter: int}``, pass ``conventions``: the network's figure under each counter's
#: convention at the batch; the counters are those of
#: :data:`resgraph.analysis.conventions.CONVENTIONS`, resgraph's own two named by their node
#: keys, :data:`MACS` and :data:`FLOPS`
COUNTERS = "resgraph.counters"
#: :class:`resgraph.analysis.paths.Distribution`, pass ``path_distributions``: input-to-output
#: paths by the number of weighted layers on them
PATH_LENGTHS = "resgraph.path_lengths"
#: :class:`resgraph.analysis.paths.Distribution`, pass ``path_distributions``: input-to-output
#: paths by the number of residual branches they take
PATH_BRANCHES = "resgraph.path_branches"
#: :class:`resgraph.analysis.paths.Distribution`, pass ``path_distributions``: input-to-output
#: paths by the number of gate routes (a ``mul``'s gate input, squeeze-excitation's) they take
PATH_GATES = "resgraph.path_gates"
#: dict[str, :class:`resgraph.analysis.paths.Distribution`], pass ``path_distributions``: each
#: output's paths by weighted layers, by the output's key (empty for a network of one output)
PATH_LENGTHS_BY_OUTPUT = "resgraph.path_lengths_by_output"

# on FX nodes of a module built by resgraph.lower_fx (fx.Node.meta) ------------------------------

#: str: the IR node name (``layer2.0.conv1``)
SCOPE = "resgraph.scope"
#: str: the IR op kind (``conv``)
OP = "resgraph.op"
#: str: ``stem``, a stage name, or ``head``
STAGE = "resgraph.stage"
#: str | None: the block instance (``layer2.0``)
BLOCK = "resgraph.block"
#: tuple[int, ...]: the per-sample output shape
SHAPE = "resgraph.shape"
#: :class:`resgraph.errors.Span` | None: the spec text that made the node
SPAN = "resgraph.span"
#: on ``GraphModule.meta``: the IR :class:`resgraph.ir.Graph` it was lowered from
GRAPH = "resgraph.graph"

# on FX nodes of a model traced by resgraph.import_fx ---------------------------------------------

#: tuple[int, ...]: the node's full output shape, batch included, from shape propagation
IMPORT_SHAPE = "resgraph.import_shape"
#: str, on IR nodes (Node.meta) that resgraph.import_fx made: how the model called the op,
#: ``module:ReLU``, ``function:F.relu`` or ``method:Tensor.mean`` (other counters count a
#: module and a function differently); a spec's nodes have none and are counted as
#: torchvision writes its layers (conv, bn, relu, pooling and linear as modules)
CALLED = "resgraph.called"
#: dict, on the Graph.meta of a model resgraph.import_fx made: "total", the module's
#: parameters (each shared one once), and "not_reached", the submodules holding parameters
#: that no traced op uses, outermost first (the report adds "traced", what its ops count)
MODULE_PARAMS = "resgraph.module_params"
