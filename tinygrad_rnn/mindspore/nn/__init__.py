"""mindspore.nn: Cell, the RNN/LSTM/GRU layers and cells, Dense, Dropout, losses, optimisers and training wrappers."""

from .activation import LogSoftmax
from .basic import Dense, Dropout, Flatten, ReLU, Sigmoid, Softmax, Tanh
from .cell import Cell, CellList, SequentialCell
from .loss import CrossEntropyLoss, L1Loss, LossBase, MSELoss, NLLLoss, SoftmaxCrossEntropyWithLogits
from .optim import SGD, Adam, Momentum, Optimizer
from .rnn_cells import GRUCell, LSTMCell, RNNCell
from .rnns import GRU, LSTM, RNN
from .wrap import TrainOneStepCell, WithLossCell

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "SGD",
    "Adam",
    "Cell",
    "CellList",
    "CrossEntropyLoss",
    "Dense",
    "Dropout",
    "Flatten",
    "GRUCell",
    "L1Loss",
    "LSTMCell",
    "LogSoftmax",
    "LossBase",
    "MSELoss",
    "Momentum",
    "NLLLoss",
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
