"""ValidationWatch: a TrainingDashboard with validation data, and a line that reads its curves. (lesson 08)

After each epoch the line says how wide the gap between the training and the validation loss is, which epoch
had the lowest validation loss, and where `EarlyStopping(monitor="val_loss", patience=...)` would have
stopped this very run. That last answer comes from replaying the validation losses through teachnet's own
`EarlyStopping` (`early_stopping_epoch`), so the line and `fit` cannot disagree.
"""
import html

import ipywidgets
import numpy as np

from teachnet.callbacks import EarlyStopping
from widgets.base import WidgetView


class _StopFlag:
    """The one attribute EarlyStopping sets on its model."""
    stop_training = False


def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    """The epoch (counting from 1) after which `EarlyStopping(monitor="val_loss", patience=patience,
    min_delta=min_delta)` stops a run whose validation losses are `val_losses`, or None if it runs to the end.

    Example:
        >>> early_stopping_epoch([0.9, 0.7, 0.6, 0.65, 0.62, 0.61, 0.58], patience=2)
        5
    """
    stop = EarlyStopping(monitor="val_loss", patience=patience, min_delta=min_delta)
    flag = _StopFlag()
    stop.set_model(flag)
    stop.on_train_begin()
    for epoch, value in enumerate(val_losses):
        stop.on_epoch_end(epoch, {"val_loss": float(value)})
        if flag.stop_training:
            return epoch + 1
    return None


class ValidationWatch(WidgetView):
    """A TrainingDashboard (validation on) with a line under it: the gap, the best epoch, and where
    EarlyStopping with `patience` would stop.

    Args:
        dashboard: a `TrainingDashboard` created with `validation_data`.
        patience: the patience of the EarlyStopping whose stop is marked.

    Example:
        >>> dashboard = TrainingDashboard(model, x_train, y_train, validation_data=(x_val, y_val))
        >>> watch = ValidationWatch(dashboard, patience=3)
        >>> watch                        # Play, and read the line under the curves
    """

    def __init__(self, dashboard, patience=3):
        super().__init__()
        from widgets.dashboard import TrainingDashboard
        if not isinstance(dashboard, TrainingDashboard):
            raise TypeError(f"ValidationWatch expects a TrainingDashboard. Received: {type(dashboard).__name__}")
        if dashboard.validation_data is None:
            raise ValueError("ValidationWatch: the dashboard has no validation data; create it with "
                             "TrainingDashboard(model, x, y, validation_data=(x_val, y_val)).")
        if not isinstance(patience, (int, np.integer)) or patience < 0:
            raise ValueError(f"ValidationWatch: `patience` must be a non-negative integer. "
                             f"Received: patience={patience!r}")
        self.dashboard, self.patience = dashboard, int(patience)
        self.line = ipywidgets.HTML()
        self.children = [self.error_banner, dashboard, self.line]
        dashboard.observe(self.guarded(lambda change: self.update()), names="epoch")
        self.update()

    def readings(self):
        """What the curves say so far: a dict with the epochs, the losses, the best epoch and the stop."""
        values = self.dashboard.training_log.epoch_values
        train, val = values.get("loss", []), values.get("val_loss", [])
        seen = [v for v in val if np.isfinite(v)]
        best = int(np.argmin(seen)) + 1 if seen else None
        stop = early_stopping_epoch(seen, self.patience) if seen else None
        return {"epochs": len(train), "loss": train[-1] if train else None, "val_loss": seen[-1] if seen else None,
                "best_epoch": best, "stop_epoch": stop,
                "kept_epoch": int(np.argmin(seen[:stop])) + 1 if stop else None}

    def text(self):
        r = self.readings()
        if r["val_loss"] is None:
            return "No epoch validated yet: press Play (or Step epoch) and watch the two loss curves."
        parts = [f"epoch {r['epochs']}: training loss {r['loss']:.3f}, validation loss {r['val_loss']:.3f}, "
                 f"gap {r['val_loss'] - r['loss']:+.3f}",
                 f"lowest validation loss at epoch {r['best_epoch']}"]
        if r["stop_epoch"] is None:
            parts.append(f"EarlyStopping(patience={self.patience}) would not have stopped yet")
        else:
            parts.append(f"EarlyStopping(patience={self.patience}) would have stopped after epoch "
                         f"{r['stop_epoch']}, and restore_best_weights=True would have kept epoch {r['kept_epoch']}'s weights")
        return " · ".join(parts)

    def update(self):
        self.line.value = f"<div style='font-size:13px;padding:4px 0'>{html.escape(self.text())}</div>"

    def static_png(self):
        return self.dashboard.static_png()

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        data["text/plain"] = self.text()
        return data
