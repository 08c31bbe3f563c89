"""Graph export of the autograd tape: any output Tensor's graph as a `graphviz.Digraph`.

What is drawn (torchviz's conventions):

* grey boxes are the recorded ops, named like torch's grad_fns (`TanhBackward0`, `AddmmBackward0`,
  ...), including the `AccumulateGrad` sink of every leaf that requires grad;
* blue boxes are those leaves, labelled with their parameter name (from a Module's
  `named_parameters()` or a name map) and their shape;
* orange boxes (``show_saved=True``) are the arrays the ops saved for their backward rule;
* green boxes are the outputs you passed in.

Edges run the way the data flowed in the forward pass (inputs at the top). Nodes recorded inside
`tape.name_scope(...)` contexts are drawn inside nested clusters, so an unrolled RNN shows one box
per layer/direction holding one box per time step; ``collapse=True`` draws a single time step per
layer/direction and marks the repetition (x T), so the size of the picture no longer depends on T.
With ``values=True`` every node is a micrograd-style record showing ``data | grad`` for small tensors.
Inside a time step, the gated cells' gate scopes (i/f/g/o, r/z/n, and "c", the LSTM's cell-state
update) are small captioned boxes, and edges that carry the cell state across steps are green.

The package, in the order a picture is made: `read` (what the tape tells: outputs, names, shapes,
values, gradients), `collapse` (one step per layer/direction), `build` (the nodes and edges of
`model`, gathered in a `TapeGraph`), `dot` (how graphviz draws a `TapeGraph`), `export` (the
public calls: make_dot, to_dot, render), then `explore_page` (`explore`: the interactive HTML
page, from explore_data, explore_layout, explore_lines and explore.js/.css). The traversal is the
engine's iterative `topological_order`, so a 10,000-step graph exports without a recursion error. Building the DOT text needs only the
`graphviz` Python package; rendering SVG/PNG/PDF needs Graphviz's `dot` program
(`apt-get install graphviz`). `graphviz` is imported inside functions only.
"""

from .build import build_graph
from .dot import COLORS, TapeGraph
from .explore_lines import SourceLines, record_lines
from .explore_page import Explorer, explore
from .export import INSTALL_HINT, GraphvizNotFoundError, dot_available, make_dot, render, to_dot
from .model import StepGroup, VEdge, VNode

__all__ = [
    "COLORS",
    "Explorer",
    "INSTALL_HINT",
    "SourceLines",
    "GraphvizNotFoundError",
    "StepGroup",
    "TapeGraph",
    "VEdge",
    "VNode",
    "build_graph",
    "dot_available",
    "explore",
    "make_dot",
    "record_lines",
    "render",
    "to_dot",
]
