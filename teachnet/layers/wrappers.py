"""Layers that wrap another layer: TimeDistributed and Bidirectional.

- `TimeDistributed(layer)` applies the same layer (the same weights) to every
  timestep of a sequence: a Dense on each step, a Conv2D on each video frame.
- `Bidirectional(rnn)` runs a recurrent layer forwards and a copy of it
  backwards over the sequence and merges the two, so every output sees both
  the past and the future.

The wrapped layers keep their own weights; the wrapper's `weights` are theirs
(Bidirectional: the forward layer's, then the backward layer's, as Keras).
"""
import copy

import numpy as np

from teachnet import ops
from teachnet.layers.base import Layer, _call_arguments


def _check_layer(wrapper, layer, argument="layer"):
    if not isinstance(layer, Layer):
        raise ValueError(f"Please initialize `{wrapper}` layer with a `teachnet.layers.Layer` instance. "
                         f"Received: {argument}={layer!r}")


class TimeDistributed(Layer):
    """Applies a layer to every timestep of a sequence, with the same weights.

    Formula:
        output[:, t] = layer(input[:, t])   for each t

    It is written as that loop: the layer runs once per step, so a layer whose
    result depends on the whole batch (BatchNormalization in training) sees one
    timestep at a time, as in Keras.

    Args:
        layer: the Layer to apply, built for inputs `(batch, *input_shape[2:])`.

    Call arguments:
        training: passed to the layer if it takes it.
        mask: `(batch, time, ...)`; `mask[:, t]` is passed to the layer if it takes a mask.

    Input shape: (batch, time, ...), at least rank 3.
    Output shape: (batch, time, *layer's output shape without the batch axis).

    Example:
        >>> layer = TimeDistributed(teachnet.layers.Dense(8))
        >>> layer(np.zeros((32, 10, 16))).shape
        (32, 10, 8)
    """

    def __init__(self, layer, **kwargs):
        _check_layer("TimeDistributed", layer)
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _child_input_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(f'Layer "{self.name}": `TimeDistributed` Layer should be passed an `input_shape` with '
                             f"at least 3 dimensions (batch, time, ...), received: {input_shape}")
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape):
        child_shape = self._child_input_shape(input_shape)
        if not self.layer.built:
            self.layer.build(child_shape)
            self.layer.built = True
        self.built = True

    def call(self, inputs, training=None, mask=None):
        self._child_input_shape(inputs.shape)
        if mask is not None:
            mask = np.asarray(getattr(mask, "data", mask))
            if mask.ndim < 2 or mask.shape[:2] != inputs.shape[:2]:
                raise ValueError(f'Layer "{self.name}": the `mask` passed to the `TimeDistributed` layer has a shape '
                                 f"{mask.shape} that is incompatible with the input shape {inputs.shape}. The first "
                                 f"two dimensions of the mask (batch size and timesteps) must match the input's: "
                                 f"{inputs.shape[:2]}.")
        accepted = _call_arguments(type(self.layer))
        outputs = []
        for t in range(inputs.shape[1]):
            kwargs = {}
            if "training" in accepted:
                kwargs["training"] = training
            if "mask" in accepted and mask is not None:
                kwargs["mask"] = mask[:, t]
            outputs.append(self.layer(inputs[:, t], **kwargs))   # (batch, *step output)
        return ops.stack(outputs, axis=1)                          # (batch, time, *step output)

    def compute_output_shape(self, input_shape):
        child_shape = self._child_input_shape(input_shape)
        if not hasattr(self.layer, "compute_output_shape"):
            raise NotImplementedError  # a model then finds the shape by running the layer on zeros
        child_output = tuple(self.layer.compute_output_shape(child_shape))
        return (child_output[0], input_shape[1], *child_output[1:])

    def get_config(self):
        # The wrapped layer itself, as Keras's config holds it (teachnet.saving serializes it).
        return {**super().get_config(), "layer": self.layer}


_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and backwards over a sequence and merges the two.

    Formula:
        y_forward  = layer(x)                      # reads steps 0, 1, ..., T-1
        y_backward = backward_layer(x)             # reads steps T-1, ..., 0
        (with return_sequences, y_backward is flipped back so step t lines up)
        output = merge(y_forward, y_backward)      # concat / sum / ave / mul / both

    Args:
        layer: a recurrent layer (SimpleRNN, LSTM, GRU, RNN). Bidirectional
            runs a copy of it named "forward_<name>" (as Keras, which rebuilds
            it from its config); `layer` itself is not called.
        merge_mode: "concat" (default; the last axis doubles), "sum", "ave",
            "mul", or None (a list [y_forward, y_backward]).
        weights: optional list of arrays: the first half for the forward layer,
            the rest for the backward one, set when the layer is built.
        backward_layer: optional recurrent layer for the backward direction,
            with go_backwards=True; by default a copy of `layer` with
            go_backwards flipped, named "backward_<name>".

    Call: `layer(sequences, initial_state=None, mask=None, training=None)`;
    `initial_state` is the forward states followed by the backward ones.
    With return_state the result is `[output, *forward_states, *backward_states]`.
    With return_sequences, masked steps output 0 in both directions (Keras sets
    zero_output_for_mask on both layers).

    Weights: the forward layer's, then the backward layer's.

    Example:
        >>> layer = Bidirectional(teachnet.layers.LSTM(16, return_sequences=True))
        >>> layer(np.zeros((4, 10, 8))).shape
        (4, 10, 32)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        _check_layer("Bidirectional", layer)
        if backward_layer is not None:
            _check_layer("Bidirectional", backward_layer, "backward_layer")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f'Invalid merge mode. Received: {merge_mode!r}. Merge mode should be one of '
                             '{"sum", "mul", "ave", "concat", None}')
        super().__init__(**kwargs)
        self.forward_layer = self._copy(layer, "forward")
        if backward_layer is None:
            backward_layer = self._copy(layer, "backward")
            backward_layer.go_backwards = not layer.go_backwards
        self.backward_layer = backward_layer
        self._check_directions()
        for direction in (self.forward_layer, self.backward_layer):
            if hasattr(direction, "zero_output_for_mask"):
                direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = list(weights) if weights else None
        self.stateful = getattr(layer, "stateful", False)
        self.return_sequences, self.return_state = layer.return_sequences, layer.return_state
        self.supports_masking = True

    @staticmethod
    def _copy(layer, direction):
        """An unbuilt-or-built copy of `layer` named `<direction>_<name>`, outside any model graph."""
        twin = copy.deepcopy(layer)
        name = layer.name[len(direction) + 1:] if layer.name.startswith(direction + "_") else layer.name
        twin.name = f"{direction}_{name}"
        twin._inbound_nodes = []
        for w in twin._own_weights:
            w.path = f"{twin.name}/{w.name}"
        return twin

    def _check_directions(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(f'Layer "{self.name}": forward layer and backward layer should have different '
                             f"`go_backwards` value. Received: forward_layer.go_backwards={forward.go_backwards}, "
                             f"backward_layer.go_backwards={backward.go_backwards}")
        for attribute in ("stateful", "return_sequences", "return_state"):
            f, b = getattr(forward, attribute, False), getattr(backward, attribute, False)
            if f != b:
                raise ValueError(f'Layer "{self.name}": forward layer and backward layer are expected to have the '
                                 f'same value for attribute "{attribute}", got "{f}" for forward layer and "{b}" '
                                 "for backward layer")

    def build(self, input_shape):
        for direction in (self.forward_layer, self.backward_layer):
            if not direction.built:
                direction.build(input_shape)
                direction.built = True
        if self._initial_weights is not None:
            half = len(self._initial_weights) // 2
            self.forward_layer.set_weights(self._initial_weights[:half])
            self.backward_layer.set_weights(self._initial_weights[half:])
            self._initial_weights = None
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask, training=training)
        y_reverse = self.backward_layer(sequences, initial_state=backward_state, mask=mask, training=training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_reverse[1:])
            y, y_reverse = y[0], y_reverse[0]
        if self.return_sequences:
            y_reverse = ops.flip(y_reverse, axis=1)         # step t of the output lines up with step t of x
        if self.merge_mode == "concat":
            output = ops.concatenate([y, y_reverse], axis=-1)   # (batch, [time,] 2 units)
        elif self.merge_mode == "sum":
            output = y + y_reverse
        elif self.merge_mode == "ave":
            output = (y + y_reverse) / 2
        elif self.merge_mode == "mul":
            output = y * y_reverse
        else:
            output = [y, y_reverse]
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def compute_mask(self, inputs, mask=None):
        output_mask = mask if self.return_sequences else None
        outputs = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            n_states = len(self.forward_layer._state_sizes()) + len(self.backward_layer._state_sizes())
            return outputs + [None] * n_states
        return outputs if self.merge_mode is None else output_mask

    def reset_states(self):
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output = self.forward_layer.compute_output_shape(sequences_shape)
        states = []
        if self.return_state:
            output, states = output[0], list(output[1:])
        if self.merge_mode == "concat":
            output = tuple(output[:-1]) + (output[-1] * 2,)
        outputs = [tuple(output), tuple(output)] if self.merge_mode is None else [tuple(output)]
        if self.return_state:
            return outputs + states + states
        return outputs if self.merge_mode is None else outputs[0]

    def get_config(self):
        # The layers themselves, as Keras's config holds them (teachnet.saving serializes them); `weights`
        # is not a setting but initial values, which a saved file carries in its weights instead.
        return {"name": self.name, "trainable": self.trainable, "dtype": str(self.dtype),
                "merge_mode": self.merge_mode, "layer": self.forward_layer, "backward_layer": self.backward_layer}
