"""mindspore.nn: Cell, the RNN layers, Dense, Dropout, losses, optimisers and training wrappers."""

from .basic import Dense, Dropout, Flatten, ReLU, Sigmoid, Softmax, Tanh
from .cell import Cell, CellList, SequentialCell
from .loss import CrossEntropyLoss, L1Loss, LossBase, MSELoss, SoftmaxCrossEntropyWithLogits
from .optim import SGD, Adam, Momentum, Optimizer
from .rnns import RNN, RNNCell
from .wrap import TrainOneStepCell, WithLossCell

__all__ = [
    "RNN",
    "SGD",
    "Adam",
    "Cell",
    "CellList",
    "CrossEntropyLoss",
    "Dense",
    "Dropout",
    "Flatten",
    "L1Loss",
    "LossBase",
    "MSELoss",
    "Momentum",
    "Optimizer",
    "RNNCell",
    "ReLU",
    "SequentialCell",
    "Sigmoid",
    "Softmax",
    "SoftmaxCrossEntropyWithLogits",
    "Tanh",
    "TrainOneStepCell",
    "WithLossCell",
]
