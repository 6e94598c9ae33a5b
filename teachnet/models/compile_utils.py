"""What `compile` does with its arguments, kept out of `Model` so that the
training step in model.py reads in one sitting (the data handling is in
data.py).

- `CompileLoss`: the loss of each output and the weighted total, as Keras 3's
  `CompileLoss` (one loss, a list, or a dict keyed by output name);
- `CompileMetrics`: the metrics of each output, named as in Keras 3's
  History (`accuracy`, `<output>_accuracy`, ...), with "accuracy" resolved to
  binary, categorical or sparse categorical accuracy from the shapes.

Every structure is handled in "flat" form: a list with one entry per model
output, in the order given by `output_structure`.
"""
import numpy as np

from teachnet import losses, tree
from teachnet import metrics as metrics_module
from teachnet.autodiff import Tensor


# -- structures of outputs -------------------------------------------------------
def output_structure(y_pred, output_names=None):
    """The model's outputs as a flat list, and one name (or None) per output.

    A dict is ordered by the model's `output_names` when they match its keys,
    otherwise by sorted keys (as Keras flattens dicts); a list keeps its order.
    """
    if isinstance(y_pred, dict):
        keys = list(output_names) if output_names and set(output_names) == set(y_pred) else sorted(y_pred)
        return [y_pred[k] for k in keys], keys
    if isinstance(y_pred, (list, tuple)):
        names = list(output_names) if output_names and len(output_names) == len(y_pred) else [None] * len(y_pred)
        return list(y_pred), names
    names = list(output_names) if output_names and len(output_names) == 1 else [None]
    return [y_pred], names


def look_up_names(identifiers, get, picked_from_shapes):
    """Looks up every name in `identifiers` (a structure of names and objects) with `get`, so that a
    misspelled name fails at compile, not at the first batch. The names in `picked_from_shapes` stand for
    a loss or metric chosen later from the data's shapes, and are left for then."""
    for name in tree.flatten(identifiers):
        if isinstance(name, str) and name.lower() not in picked_from_shapes:
            get(name)


def in_output_order(y, output_names):
    """`y` as a list in the order of `output_names` when it is a dict keyed by some of them (a missing
    output gets None); any other `y` as it is."""
    if isinstance(y, dict) and output_names and set(y) <= set(output_names):
        return [y.get(name) for name in output_names]
    return y


def flat_targets(y, names, argument="y"):
    """`y` (array, list or dict keyed by output name) as one entry per output; one array of
    `sample_weight` serves every output."""
    if isinstance(y, dict) and len(names) == 1 and len(y) == 1:
        return list(y.values())  # one output: its key need not be its name (Keras flattens the dict)
    return per_output(y, names, argument, repeat_single=argument == "sample_weight")


def per_output(value, names, argument, repeat_single=False):
    """`value` as a list with one entry per model output, in the order of `names`.

    `value` is a dict keyed by output name, a list or tuple with one entry per
    output, or a single value: that one serves every output when
    `repeat_single` (a loss, a loss weight, sample weights) and is refused with
    several outputs otherwise (targets)."""
    n = len(names)
    expected = f"Expected `{argument}` to have one entry per output of the model ({n} output(s): {names})"
    if isinstance(value, dict):
        unknown = [key for key in value if key not in names]
        if unknown:
            raise ValueError(f"{expected}, keyed by output name. Received: a dict with keys {sorted(value)} "
                             f"(unknown: {unknown}). Use the output names as keys.")
        return in_output_order(value, names)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{expected}. Received: a {type(value).__name__} of {len(value)} entries. "
                             f"Pass one entry per output, in the order of the outputs.")
        return list(value)
    if n != 1 and not repeat_single:
        raise ValueError(f"{expected}. Received: a single {type(value).__name__}. Pass a list of {n} "
                         f"entries or a dict keyed by output name.")
    return [value] * n


def _shapes_kind(y_true, y_pred):
    """(is_binary, is_sparse_categorical), from the shapes, as Keras decides."""
    t_shape, p_shape = np.shape(y_true), np.shape(y_pred)
    is_binary = p_shape[-1] == 1
    is_sparse = len(t_shape) < len(p_shape) or (t_shape[-1] == 1 and p_shape[-1] > 1)
    return is_binary, is_sparse


def _object_name(obj):
    return getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__


def get_loss(identifier, y_true, y_pred):
    """A Loss object for `identifier`: a name, a Loss or a function (y_true, y_pred)."""
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = _shapes_kind(y_true, y_pred)
        identifier = ("binary_crossentropy" if is_binary else
                      "sparse_categorical_crossentropy" if is_sparse else "categorical_crossentropy")
    loss = losses.get(identifier)
    if not isinstance(loss, losses.Loss):
        name = identifier if isinstance(identifier, str) else _object_name(loss)
        loss = losses.LossFunctionWrapper(loss, name=name)
    return loss


def get_metric(identifier, y_true, y_pred):
    """A Metric for `identifier`, "accuracy"/"acc" picked from the shapes as Keras does:
    binary if y_pred has one column, sparse categorical if y_true has fewer
    dimensions than y_pred (or one column), categorical otherwise."""
    if identifier is None:
        raise ValueError("Expected a metric: a name such as \"accuracy\", a function or a Metric. Received: None. "
                         "Leave the None out of `metrics`.")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary, is_sparse = _shapes_kind(y_true, y_pred)
        cls = (metrics_module.BinaryAccuracy if is_binary else
               metrics_module.SparseCategoricalAccuracy if is_sparse else metrics_module.CategoricalAccuracy)
        metric = cls(name=str(identifier))
    else:
        metric = metrics_module.get(identifier)
    name = identifier if isinstance(identifier, str) else _object_name(metric)
    if not isinstance(metric, metrics_module.Metric):
        metric = metrics_module.MeanMetricWrapper(metric, name=name)
    metric.name = name
    return metric


# -- losses -----------------------------------------------------------------------
class CompileLoss:
    """The loss of a compiled model: one loss per output, weighted and summed.

    Formula:
        total = sum_i loss_weight_i * loss_i(y_true_i, y_pred_i, sample_weight_i)

    With more than one output, the unweighted loss of each output is tracked
    as the metric `<output>_loss` (the running mean over the epoch).
    """

    def __init__(self, loss, loss_weights=None, output_names=None):
        if loss_weights is not None and not isinstance(loss_weights, (list, tuple, dict, float, int)):
            raise ValueError("Expected `loss_weights` argument to be a float (single output case) or a list, "
                             f"tuple, or dict (multiple output case). Received: "
                             f"loss_weights={loss_weights!r} of type {type(loss_weights).__name__}")
        look_up_names(loss, losses.get, picked_from_shapes=("crossentropy", "ce"))
        self._user_loss = loss
        self._user_loss_weights = loss_weights
        self.output_names = output_names
        self.built = False
        self.entries = []   # (output index, Loss, weight or None, name)
        self.metrics = []   # a Mean "<name>_loss" per output, with several outputs
        self.last_values = {}  # "<name>_loss" -> unweighted value of the last batch

    def build(self, y_true, y_pred, names, pred_is_dict=False):
        losses = per_output(self._user_loss, names, "loss", repeat_single=True)
        weights = ([None] * len(names) if self._user_loss_weights is None
                   else per_output(self._user_loss_weights, names, "loss_weights", repeat_single=True))
        # Keras walks a dict of losses in its own key order when the outputs are a dict too.
        order = ([names.index(k) for k in self._user_loss] if pred_is_dict and isinstance(self._user_loss, dict)
                 else range(len(names)))
        self.entries = []
        for i in order:
            identifier, weight = losses[i], weights[i]
            if identifier is None:
                continue
            if y_true[i] is None:
                raise ValueError(f"Expected a target in `y` for output {names[i] or i}, which has a loss. Received: "
                                 "None for it. Pass its targets, or compile it without a loss (None).")
            loss = get_loss(identifier, y_true[i], y_pred[i])
            self.entries.append((i, loss, weight, names[i] or _object_name(loss)))
        if not self.entries:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        self.metrics = ([metrics_module.Mean(name=f"{name}_loss") for _, _, _, name in self.entries]
                        if len(self.entries) > 1 else [])
        self.loss_weights = weights
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight, batch_size):
        """The weighted total over outputs (a scalar Tensor); updates the per-output trackers."""
        total = None
        for k, (i, loss, weight, name) in enumerate(self.entries):
            _check_targets(loss, y_true[i], y_pred[i], name if len(self.entries) > 1 else None)
            try:
                value = loss(y_true[i], y_pred[i], sample_weight=sample_weight[i])
            except (ValueError, TypeError, IndexError) as error:
                output = f' of output "{name}"' if len(self.entries) > 1 else ""
                raise (TypeError if isinstance(error, TypeError) else ValueError)(
                    f'Cannot compute the loss "{_object_name(loss)}"{output}. Received: y_true of shape '
                    f"{np.shape(y_true[i])} (dtype {np.asarray(y_true[i]).dtype}) and y_pred of shape "
                    f"{tuple(y_pred[i].shape)}.\n{error}{_extra_axes_hint(y_true[i], y_pred[i])}") from None
            if self.metrics:
                self.metrics[k].update_state(float(value), sample_weight=batch_size)
                self.last_values[f"{name}_loss"] = float(value)
            if weight is not None:
                value = value * weight
            total = value if total is None else total + value
        return total


def _extra_axes_hint(y_true, y_pred):
    """The usual cause of predictions with more axes than the targets: images or
    sequences fed to Dense, which acts on the last axis only."""
    if len(y_pred.shape) >= 3 and np.ndim(y_true) < len(y_pred.shape):
        return (f"\nHint: y_pred keeps axes {tuple(y_pred.shape[1:-1])} that y_true does not have. Dense acts on "
                "the last axis only, so Dense on images or sequences keeps the other axes: put a Flatten() (or "
                "a global pooling layer) before the first Dense.")
    return ""


def _check_targets(loss, y_true, y_pred, output):
    """Refuses targets the loss cannot learn from, naming the loss and the bad values:
    binary crossentropy on labels outside [0, 1] (numpy would compute on silently),
    sparse categorical crossentropy on class ids outside [0, classes)."""
    fn = getattr(loss, "fn", None)
    if y_true is None or fn not in (losses.binary_crossentropy, losses.sparse_categorical_crossentropy):
        return
    y = np.asarray(y_true)
    where = f' of output "{output}"' if output else ""
    if fn is losses.binary_crossentropy:
        bad = (y < 0) | (y > 1)
        if y.size and bad.any():
            raise ValueError(f'The loss "{_object_name(loss)}"{where} expects targets in [0, 1] (0/1 labels or '
                             f"probabilities). Received: values outside it, {_some(y[bad])}. For class ids "
                             '0..n-1 use "sparse_categorical_crossentropy" with n output units; for -1/+1 '
                             "labels map them to 0/1 first, e.g. (y + 1) / 2.")
        return
    classes = y_pred.shape[-1]
    if y.ndim == len(y_pred.shape) and y.shape[-1] != 1:
        return  # not class ids at all (one-hot?): losses.py says which loss to use
    bad = (y < 0) | (y >= classes)
    ignore_class = getattr(loss, "_fn_kwargs", {}).get("ignore_class")
    if ignore_class is not None:
        bad &= y != ignore_class
    if y.size and bad.any():
        raise ValueError(f'The loss "{_object_name(loss)}"{where} expects class ids in [0, {classes}) because the '
                         f"model's output has {classes} units (one per class). Received: ids outside it, "
                         f"{_some(y[bad])}. Give the last layer as many units as there are classes, or "
                         "renumber the labels from 0 (e.g. np.unique(y, return_inverse=True)[1]).")


def _some(values):
    """Up to five distinct values, as a short list for a message."""
    distinct = np.unique(values)
    return f"{distinct[:5].tolist()}{' ...' if len(distinct) > 5 else ''}"


# -- metrics -------------------------------------------------------------------------
class CompileMetrics:
    """The metrics of a compiled model, per output, with Keras 3's names.

    `metrics` are computed without sample weights, `weighted_metrics` with
    them. With several outputs a metric is named `<output>_<metric>`; a name
    used twice gets a suffix `_1`, `_2`, ... (weighted ones `weighted_<metric>`).

    As in Keras 3, it is itself one entry of `model.metrics`, named
    "compile_metrics": `update_state(y, y_pred, sample_weight)` takes the
    model's targets and outputs, `result()` is a dict of every metric's value.
    """

    name = "compile_metrics"

    def __init__(self, metrics, weighted_metrics=None, output_names=None):
        for argument, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value and not isinstance(value, (list, tuple, dict)):
                raise ValueError(f"Expected `{argument}` argument to be a list, tuple, or dict. Received: "
                                 f"{argument}={value!r} of type {type(value).__name__}. Wrap it in a list: "
                                 f"{argument}=[{value!r}].")
        look_up_names([metrics or [], weighted_metrics or []], metrics_module.get,
                      picked_from_shapes=("accuracy", "acc"))
        self._user_metrics = metrics
        self._user_weighted_metrics = weighted_metrics
        self.output_names = output_names
        self.built = False
        self._lists = []  # (output index, output name or None, [Metric], weighted?)

    def _build_set(self, identifiers, names, y_true, y_pred, weighted, argument):
        if not identifiers:
            return
        n = len(names)
        if n == 1:  # one output: every metric applies to it
            lists = [tree.flatten(identifiers)]
        else:
            if isinstance(identifiers, dict):
                lists = per_output(identifiers, names, argument)
            elif isinstance(identifiers, (list, tuple)) and len(identifiers) == n:
                lists = list(identifiers)
            else:
                raise ValueError(f"Expected `{argument}` to have one entry (a metric or a list of metrics) per "
                                 f"output of the model ({n} outputs: {names}), as a list or a dict keyed by "
                                 f"output name. Received: {argument}={identifiers!r}. Pass one entry per output.")
        for i, ids in enumerate(lists):
            if ids is None or ids == []:
                continue
            ids = tree.flatten(ids)
            self._lists.append((i, names[i] if n > 1 else None,
                                [get_metric(m, y_true[i], y_pred[i]) for m in ids], weighted))

    def build(self, y_true, y_pred, names):
        self._lists = []
        self._build_set(self._user_metrics, names, y_true, y_pred, False, "metrics")
        self._build_set(self._user_weighted_metrics, names, y_true, y_pred, True, "weighted_metrics")
        self.built = True

    @property
    def metrics(self):
        return [m for _, _, ms, _ in self._lists for m in ms]

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Updates every metric from the model's targets and outputs (one, a list or a dict)."""
        flat_pred, names = output_structure(y_pred, self.output_names)
        flat_pred = [_values_and_mask(p) if isinstance(p, Tensor) else p for p in flat_pred]
        flat_y = [None] * len(names) if y_true is None else flat_targets(y_true, names, "y")
        flat_sw = [None] * len(names) if sample_weight is None else flat_targets(sample_weight, names,
                                                                                  "sample_weight")
        if not self.built:
            self.build(flat_y, flat_pred, names)
        for i, _, ms, weighted in self._lists:
            for m in ms:
                m.update_state(flat_y[i], flat_pred[i], sample_weight=flat_sw[i] if weighted else None)

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()

    def result(self):
        """`{name: float}`, named as in Keras 3's logs."""
        results, counts = {}, {}
        for _, output, ms, weighted in self._lists:
            for m in ms:
                name = f"{output}_{m.name}" if output else m.name
                if name in counts and weighted:
                    name = f"{output}_weighted_{m.name}" if output else f"weighted_{m.name}"
                if name in counts:  # a repeated name gets _1, _2, ...
                    counts[name] += 1
                    name = f"{name}_{counts[name] - 1}"
                else:
                    counts[name] = 1
                results[name] = float(m.result())
        return results


def _values_and_mask(y_pred):
    """The prediction's values for the metrics: an array no tape records, or a
    constant Tensor carrying the prediction's mask, which metrics apply (Keras)."""
    if getattr(y_pred, "_keras_mask", None) is None:
        return y_pred.data
    constant = Tensor(y_pred.data)
    constant._keras_mask = y_pred._keras_mask
    return constant
