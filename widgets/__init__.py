"""teachnet widgets: live, interactive pictures of training, built from core
ipywidgets and matplotlib PNGs (works with ipywidgets 7.7 and 8, and in Colab).

The engine (`teachnet`) never imports this package; the widgets read it
through callbacks and public objects.
"""
from widgets.base import WidgetView  # noqa: F401
from widgets.figures import figure_to_png, new_figure  # noqa: F401
from widgets.dashboard import TrainingDashboard  # noqa: F401
from widgets.loss_ledger import LossLedger  # noqa: F401
from widgets.model_graph import ModelGraph  # noqa: F401
from widgets.playground import Playground  # noqa: F401
from widgets.optimizer_race import OptimizerRace  # noqa: F401
from widgets.loss_explorer import LossExplorer  # noqa: F401
from widgets.layer_views import ConvFilterView, CTCLatticeView, LSTMGateView  # noqa: F401
