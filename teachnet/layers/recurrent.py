"""Recurrent layers: SimpleRNN, LSTM and GRU, and their one-step cells.

Each layer reads a sequence `(batch, time, features)` one step at a time,
carrying a state from step to step. Two views of the same math:

- the cell (`LSTMCell`, ...) holds the weights and its `call(inputs, states)`
  is ONE step written with small ops: read it to see what a step does;
- the layer (`LSTM`, ...) runs the whole sequence with one fused op from
  `teachnet.ops.recurrent`, whose backward is backpropagation through time
  written out by hand. That is ~100x cheaper than recording every step.

Weights, their names, shapes and order are Keras's (`kernel`,
`recurrent_kernel`, `bias`), so `set_weights(keras_layer.get_weights())` works.
"""
import numpy as np

from teachnet import initializers, ops, random
from teachnet.autodiff import Tensor
from teachnet.layers.base import Layer, _call_arguments
from teachnet.ops import recurrent as recurrent_ops

_STEP_ACTIVATIONS = {"tanh": ops.tanh, "sigmoid": ops.sigmoid, "relu": ops.relu, "linear": lambda x: x,
                     "hard_sigmoid": ops.hard_sigmoid, "softsign": ops.softsign}


def _activation_name(layer_name, argument, activation):
    """The name of an activation given as a name, a function or None (linear)."""
    name = "linear" if activation is None else activation if isinstance(activation, str) \
        else getattr(activation, "__name__", None)
    if name not in recurrent_ops.RECURRENT_ACTIVATIONS:
        raise ValueError(f'Layer "{layer_name}": unsupported `{argument}`; the fused recurrent ops support '
                         f"the activations {sorted(recurrent_ops.RECURRENT_ACTIVATIONS)} (or None for linear). "
                         f"Received: {argument}={activation!r}")
    return name


def _check_rate(layer_name, argument, rate):
    if not 0.0 <= rate < 1.0:
        raise ValueError(f'Layer "{layer_name}": `{argument}` must be a float in [0, 1). Received: {argument}={rate}')
    return float(rate)


class _Cell(Layer):
    """What the three cells share: configuration, weights, the initial state."""

    gates = 1  # how many blocks of `units` columns the kernels have

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f'Received an invalid value for argument `units` of layer "{self.name}", '
                             f"expected a positive integer. Received: units={units!r}")
        self.units = int(units)
        self.activation = _activation_name(self.name, "activation", activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer, self.recurrent_initializer = kernel_initializer, recurrent_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer, self.recurrent_regularizer = kernel_regularizer, recurrent_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint, self.recurrent_constraint = kernel_constraint, recurrent_constraint
        self.bias_constraint = bias_constraint
        # Dropout is drawn once per sequence by the layer (the same mask at every step, as Keras).
        self.dropout = _check_rate(self.name, "dropout", dropout)
        self.recurrent_dropout = _check_rate(self.name, "recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(f'Cell "{self.name}" expects one step of inputs with shape (batch, features). '
                             f"Received: input_shape={tuple(input_shape)}")
        width = self.gates * self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], width), name="kernel",
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, width), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=self._bias_shape(), name="bias", initializer=self._bias_init(),
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def get_initial_state(self, batch_size):
        """Zeros, one `(batch_size, units)` array per state."""
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [ops.zeros((batch_size, s), dtype=self.dtype) for s in sizes]

    def _step_activation(self, name):
        return _STEP_ACTIVATIONS[name]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self.activation,
                "use_bias": self.use_bias, "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout}


class SimpleRNNCell(_Cell):
    """One step of a fully-connected recurrent layer.

    Formula: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`

    Args:
        units: size of the state (and output).
        activation: default "tanh". use_bias: default True.
        kernel_initializer ("glorot_uniform"), recurrent_initializer
        ("orthogonal"), bias_initializer ("zeros"), *_regularizer,
        *_constraint: as Keras.
        dropout, recurrent_dropout: fractions dropped from the inputs and from
            h_{t-1} in training; applied by the layer with one mask per
            sequence, the same at every step (as Keras; Keras draws a separate
            recurrent mask per gate, teachnet one for all gates).
        seed: optional integer for reproducible dropout masks.

    Call: `cell(x_t, [h_{t-1}])` with shapes `(batch, features)`, `(batch, units)`;
    returns `(h_t, [h_t])`.

    Example:
        >>> cell = SimpleRNNCell(4)
        >>> h, states = cell(np.ones((2, 3)), [np.zeros((2, 4))])
        >>> h.shape, len(states)
        ((2, 4), 1)
    """

    def call(self, inputs, states, training=False):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        a = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel)   # (batch, units)
        if self.bias is not None:
            a = a + self.bias
        h = self._step_activation(self.activation)(a)
        return h, [h]


class LSTMCell(_Cell):
    """One step of a Long Short-Term Memory layer (gates i, f, c, o as Keras).

    Formula (σ = recurrent_activation):
        z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias   # (batch, 4 units)
        i, f, o = σ(z_i), σ(z_f), σ(z_o)                       # input, forget, output gates
        c_t = f * c_{t-1} + i * activation(z_c)                # the cell, a running memory
        h_t = o * activation(c_t)

    Args: as `SimpleRNNCell`, plus `recurrent_activation` (default "sigmoid")
    and `unit_forget_bias` (default True: the forget gate's bias starts at 1,
    so at first the cell remembers; the rest of the bias uses bias_initializer).

    Call: `cell(x_t, [h_{t-1}, c_{t-1}])`; returns `(h_t, [h_t, c_t])`.

    Example:
        >>> cell = LSTMCell(4)
        >>> h, (h_again, c) = cell(np.ones((2, 3)), [np.zeros((2, 4)), np.zeros((2, 4))])
        >>> h.shape, c.shape
        ((2, 4), (2, 4))
    """

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = _activation_name(self.name, "recurrent_activation", recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, n = initializers.get(self.bias_initializer), self.units

        def bias_initializer(shape, dtype="float32"):  # [init(n), ones(n), init(2n)], as Keras
            return np.concatenate([base((n,), dtype), np.ones(n, dtype), base((2 * n,), dtype)])
        return bias_initializer

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states
        n = self.units
        z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel)   # (batch, 4 units)
        if self.bias is not None:
            z = z + self.bias
        sigma, act = self._step_activation(self.recurrent_activation), self._step_activation(self.activation)
        i, f = sigma(z[:, :n]), sigma(z[:, n:2 * n])
        g, o = act(z[:, 2 * n:3 * n]), sigma(z[:, 3 * n:])
        c = f * c_prev + i * g
        h = o * act(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation,
                "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """One step of a Gated Recurrent Unit (gates z, r, h as Keras).

    Formula (σ = recurrent_activation; x_* blocks of `x_t @ kernel + input_bias`,
    u_* blocks of `h_{t-1} @ recurrent_kernel + recurrent_bias`):
        z = σ(x_z + u_z)                    # update gate: how much of h_{t-1} to keep
        r = σ(x_r + u_r)                    # reset gate: how much of h_{t-1} the candidate sees
        hh = activation(x_h + r * u_h)      # candidate (reset_after=True, Keras 3's default)
        h_t = z * h_{t-1} + (1 - z) * hh
    With reset_after=False the reset gate acts before the matmul:
    `hh = activation(x_h + (r * h_{t-1}) @ recurrent_kernel_h)` and there is one bias.

    Args: as `LSTMCell` (without unit_forget_bias), plus `reset_after`.
    The bias has shape `(2, 3 units)` (input bias, recurrent bias) when
    reset_after, else `(3 units,)`.

    Call: `cell(x_t, [h_{t-1}])`; returns `(h_t, [h_t])`.

    Example:
        >>> cell = GRUCell(4)
        >>> h, states = cell(np.ones((2, 3)), [np.zeros((2, 4))])
        >>> h.shape, cell.bias.shape
        ((2, 4), (2, 12))
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 reset_after=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = _activation_name(self.name, "recurrent_activation", recurrent_activation)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=False):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        n = self.units
        sigma, act = self._step_activation(self.recurrent_activation), self._step_activation(self.activation)
        x = ops.matmul(inputs, self.kernel)                                 # (batch, 3 units)
        if self.bias is not None:
            x = x + (self.bias[0] if self.reset_after else self.bias)
        if self.reset_after:
            u = ops.matmul(h_prev, self.recurrent_kernel)                   # (batch, 3 units)
            if self.bias is not None:
                u = u + self.bias[1]
            z, r = sigma(x[:, :n] + u[:, :n]), sigma(x[:, n:2 * n] + u[:, n:2 * n])
            hh = act(x[:, 2 * n:] + r * u[:, 2 * n:])
        else:
            u = ops.matmul(h_prev, self.recurrent_kernel[:, :2 * n])
            z, r = sigma(x[:, :n] + u[:, :n]), sigma(x[:, n:2 * n] + u[:, n:])
            hh = act(x[:, 2 * n:] + ops.matmul(r * h_prev, self.recurrent_kernel[:, 2 * n:]))
        h = z * h_prev + (1 - z) * hh
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation,
                "reset_after": self.reset_after}


class _RNN(Layer):
    """What SimpleRNN, LSTM, GRU and RNN share: checking the input, masks,
    dropout, direction, stateful states and which outputs to return.
    Subclasses set `self.cell` and define
    `_run(sequences, states, mask, recurrent_mask, training) -> (output, final states)`,
    the output being every step's or only the last one's, per return_sequences.

    stateful=True: the final states of one call are the initial states of the
    next (a long sequence fed in consecutive pieces), until `reset_states()`.
    Sample i of a batch continues sample i of the previous batch, so the batch
    size must stay the same. The states are not weights (as in Keras): they
    are not in `get_weights()` and not trained.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 **kwargs):
        if kwargs.pop("unroll", False):  # a Keras speed option for short sequences: no loop to unroll here
            raise ValueError(f"{type(self).__name__}: `unroll=True` is not supported by teachnet.")
        self.zero_output_for_mask = bool(kwargs.pop("zero_output_for_mask", False))
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.states = None  # stateful: the states carried to the next call, (batch, size) arrays
        self.supports_masking = True

    @property
    def units(self):
        return self.cell.units

    def _state_sizes(self):
        """One int per state: [units] for SimpleRNN and GRU, [units, units] for LSTM."""
        size = self.cell.state_size
        return list(size) if isinstance(size, (list, tuple)) else [size]

    def _check_sequences(self, shape):
        if len(shape) != 3:
            raise ValueError(f'Layer "{self.name}" expects sequences of shape (batch, time, features). Received: '
                             f"input with shape {tuple(shape)} (rank {len(shape)}). A sequence of numbers needs "
                             "a feature axis: reshape to (batch, time, 1); token ids go through an Embedding.")
        kernel = getattr(self.cell, "kernel", None)
        if getattr(self.cell, "built", False) and kernel is not None and shape[-1] is not None \
                and shape[-1] != kernel.shape[0]:
            raise ValueError(f'Layer "{self.name}" was built for {kernel.shape[0]} features per step. '
                             f"Received: input with shape {tuple(shape)}")

    def build(self, input_shape):
        self._check_sequences(input_shape)
        self.cell.build((input_shape[0], input_shape[-1]))
        self.cell.built = True
        if self.stateful and input_shape[0] is not None and self.states is None:
            self.reset_states(batch_size=input_shape[0])
        self.built = True

    def reset_states(self, batch_size=None):
        """Sets the carried states of a stateful layer to zeros (e.g. between
        two unrelated sequences, or at the start of each epoch).

        Args:
            batch_size: the batch size of the calls to come; by default the
                one already fixed (or the next call's, if none is fixed yet).
        """
        if not self.stateful:
            return  # as Keras: nothing is carried, nothing to reset
        if batch_size is None and self.states is None:
            return
        batch = self.states[0].shape[0] if batch_size is None else int(batch_size)
        self.states = [np.zeros((batch, size), dtype=self.dtype) for size in self._state_sizes()]

    def reset_state(self):
        """Keras 3's other spelling of `reset_states()`."""
        self.reset_states()

    def _initial_states(self, initial_state, batch):
        sizes = self._state_sizes()
        if initial_state is None and self.stateful:
            if self.states is None:
                self.reset_states(batch_size=batch)  # the first call fixes the batch size
            if self.states[0].shape[0] != batch:
                raise ValueError(f'Layer "{self.name}" is stateful: each sample continues the sample at the same '
                                 f"index of the previous batch, so the batch size must stay the same.\n"
                                 f"- Expected batch size: {self.states[0].shape[0]}\n- Received batch size: "
                                 f"{batch}\nUse batches of one size (drop the last partial batch), or call "
                                 "reset_states(batch_size=...) to start over with another size.")
            return [Tensor(s) for s in self.states]
        if initial_state is None:
            get_initial_state = getattr(self.cell, "get_initial_state", None)
            if get_initial_state is not None:
                states = get_initial_state(batch_size=batch)
                return list(states) if isinstance(states, (list, tuple)) else [states]
            return [ops.zeros((batch, size), dtype=self.dtype) for size in sizes]
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(states) != len(sizes):
            raise ValueError(f'Layer "{self.name}" expects {len(sizes)} initial state(s). '
                             f"Received: {len(states)} initial state(s)")
        states = [ops.convert_to_tensor(s, dtype=self.dtype) if not isinstance(s, Tensor) else s for s in states]
        what = "units" if hasattr(self.cell, "units") else "state size"
        for s, size in zip(states, sizes):
            if s.shape != (batch, size):
                raise ValueError(f'Layer "{self.name}": each initial state must have shape (batch, {what}) = '
                                 f"{(batch, size)}. Received: an initial state of shape {s.shape}")
        return states

    def _dropout_mask(self, shape, rate):
        if self.cell.seed is not None and not hasattr(self, "_rng"):
            self._rng = np.random.default_rng(self.cell.seed)  # reproducible, and a new mask every call
        keep = getattr(self, "_rng", random.generator()).random(shape) >= rate
        return (keep / (1.0 - rate)).astype(self.dtype)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        self._check_sequences(sequences.shape)
        batch, steps = sequences.shape[0], sequences.shape[1]
        if mask is not None:
            mask = np.asarray(getattr(mask, "data", mask), dtype=bool)
            if mask.shape != (batch, steps):
                raise ValueError(f'Layer "{self.name}": the mask must have shape (batch, time) = {(batch, steps)}. '
                                 f"Received: mask with shape {mask.shape}")
        states = self._initial_states(initial_state, batch)
        recurrent_mask = None
        # teachnet's cells leave dropout to the layer (one mask per sequence); a user's cell does its own.
        dropout, recurrent_dropout = ((self.cell.dropout, self.cell.recurrent_dropout) if isinstance(self.cell, _Cell)
                                      else (0.0, 0.0))
        if training and dropout > 0:                 # one mask per sequence, the same at every step
            sequences = sequences * self._dropout_mask((batch, 1, sequences.shape[-1]), dropout)
        if training and recurrent_dropout > 0:
            recurrent_mask = self._dropout_mask((batch, self._state_sizes()[0]), recurrent_dropout)
        if self.go_backwards:                        # read the sequence from its end; outputs stay in that order
            sequences = ops.flip(sequences, axis=1)
            mask = None if mask is None else mask[:, ::-1]
        output, states = self._run(sequences, states, mask, recurrent_mask, training)  # (batch, [time,] units)
        if self.return_sequences and self.zero_output_for_mask and mask is not None:
            output = output * mask[:, :, None].astype(output.dtype)   # masked steps output 0, as Keras
        if self.stateful:                            # carried to the next call, outside the tape
            self.states = [np.array(s.numpy(), dtype=self.dtype) for s in states]
        return [output] + states if self.return_state else output

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        output_size = getattr(self.cell, "output_size", None) or self._state_sizes()[0]
        output = (batch, steps, output_size) if self.return_sequences else (batch, output_size)
        if self.return_state:
            return [output] + [(batch, size) for size in self._state_sizes()]
        return output

    def compute_mask(self, inputs, mask=None):
        # Only a sequence output keeps the time axis and so the mask; states have none (as Keras).
        sequence_mask = mask if self.return_sequences else None
        if self.return_state:
            n_states = len(self.cell.state_size) if isinstance(self.cell.state_size, list) else 1
            return [sequence_mask] + [None] * n_states
        return sequence_mask

    def get_config(self):
        # Keras's layout: the cell's arguments flat in the layer's config.
        cell = {k: v for k, v in self.cell.get_config().items() if k not in ("name", "trainable", "dtype")}
        return {"name": self.name, "trainable": self.trainable, "dtype": str(self.dtype), **cell,
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": False,
                "zero_output_for_mask": self.zero_output_for_mask}

    @classmethod
    def from_config(cls, config):
        from teachnet.saving.serialization import init_arguments, layer_from_config  # saving sits above layers
        return layer_from_config(cls, config, extra_arguments=init_arguments(cls.cell_class)[0])


class SimpleRNN(_RNN):
    """A fully-connected recurrent layer: the state is fed back into the next step.

    Formula: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`, h_0 = 0.

    Args:
        units: size of the state and of the output.
        activation, use_bias, initializers, regularizers, constraints,
            dropout, recurrent_dropout, seed: as `SimpleRNNCell`.
        return_sequences: return every h_t `(batch, time, units)` instead of
            the last `(batch, units)`.
        return_state: also return the final state: `[output, h_T]`.
        go_backwards: read the sequence from its end (outputs are in the
            order they were computed, i.e. reversed).
        stateful: the final state of a call is the initial state of the next
            (one long sequence fed in pieces, the same batch size each time)
            until `reset_states()`.

    Call: `layer(sequences, initial_state=None, mask=None, training=None)`.
    Input shape: `(batch, time, features)`. A mask (from `Embedding(mask_zero=True)`)
    makes masked steps keep the previous state.

    Example:
        >>> layer = teachnet.layers.SimpleRNN(4)
        >>> layer(np.zeros((2, 10, 3))).shape
        (2, 4)
    """

    cell_class = SimpleRNNCell  # the arguments from_config passes on to the cell

    def __init__(self, units, activation="tanh", use_bias=True, return_sequences=False, return_state=False,
                 go_backwards=False, name=None, dtype=None, trainable=True, input_shape=None, stateful=False,
                 unroll=False, use_cudnn="auto", **cell_kwargs):  # use_cudnn: accepted for Keras code; no GPU here
        cell = SimpleRNNCell(units, activation=activation, use_bias=use_bias, dtype=dtype, **cell_kwargs)
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful=stateful, unroll=unroll,
                         name=name, dtype=dtype, trainable=trainable, input_shape=input_shape)

    def _run(self, sequences, states, mask, recurrent_mask, training=None):
        c = self.cell
        if not self.return_sequences:                                   # only h_T: a cheaper backward
            h = ops.simple_rnn(sequences, c.kernel, c.recurrent_kernel, c.bias, states[0], mask, recurrent_mask,
                               activation=c.activation, return_sequences=False)   # (batch, units)
            return h, [h]
        hs = ops.simple_rnn(sequences, c.kernel, c.recurrent_kernel, c.bias, states[0], mask, recurrent_mask,
                            activation=c.activation)                      # (batch, time, units)
        return hs, [hs[:, -1]]


class LSTM(_RNN):
    """Long Short-Term Memory: a recurrent layer with a gated memory cell.

    Formula (per step; see `LSTMCell`):
        i, f, o = σ(.), σ(.), σ(.)  of  x_t @ kernel + h_{t-1} @ recurrent_kernel + bias
        c_t = f * c_{t-1} + i * tanh(.)     h_t = o * tanh(c_t)

    Args: as `SimpleRNN`, plus `recurrent_activation` ("sigmoid") and
    `unit_forget_bias` (True). With return_state the result is `[output, h_T, c_T]`.

    Weights: kernel `(features, 4 units)`, recurrent_kernel `(units, 4 units)`,
    bias `(4 units,)`, column blocks in the order i, f, c, o.

    Example:
        >>> model_input = np.random.rand(8, 20, 5)
        >>> teachnet.layers.LSTM(16, return_sequences=True)(model_input).shape
        (8, 20, 16)
    """

    cell_class = LSTMCell  # the arguments from_config passes on to the cell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 unit_forget_bias=True, return_sequences=False, return_state=False, go_backwards=False,
                 name=None, dtype=None, trainable=True, input_shape=None, stateful=False, unroll=False,
                 use_cudnn="auto", **cell_kwargs):  # use_cudnn: accepted for Keras code; no GPU here
        cell = LSTMCell(units, activation=activation, recurrent_activation=recurrent_activation,
                        use_bias=use_bias, unit_forget_bias=unit_forget_bias, dtype=dtype, **cell_kwargs)
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful=stateful, unroll=unroll,
                         name=name, dtype=dtype, trainable=trainable, input_shape=input_shape)

    def _run(self, sequences, states, mask, recurrent_mask, training=None):
        c = self.cell
        hc = ops.lstm(sequences, c.kernel, c.recurrent_kernel, c.bias, states[0], states[1], mask,
                      recurrent_mask, activation=c.activation, recurrent_activation=c.recurrent_activation,
                      return_sequences=self.return_sequences)             # (2, batch, [time,] units)
        if self.return_sequences:
            return hc[0], [hc[0, :, -1], hc[1, :, -1]]
        return hc[0], [hc[0], hc[1]]                                      # h_T, c_T


class GRU(_RNN):
    """Gated Recurrent Unit: a recurrent layer with update and reset gates.

    Formula (per step; see `GRUCell`):
        z, r = σ(.), σ(.);  hh = tanh(x_h + r * u_h);  h_t = z * h_{t-1} + (1 - z) * hh

    Args: as `SimpleRNN`, plus `recurrent_activation` ("sigmoid") and
    `reset_after` (True, Keras 3's default; bias shape (2, 3 units)).

    Example:
        >>> teachnet.layers.GRU(8)(np.zeros((4, 6, 3))).shape
        (4, 8)
    """

    cell_class = GRUCell  # the arguments from_config passes on to the cell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 reset_after=True, return_sequences=False, return_state=False, go_backwards=False,
                 name=None, dtype=None, trainable=True, input_shape=None, stateful=False, unroll=False,
                 use_cudnn="auto", **cell_kwargs):  # use_cudnn: accepted for Keras code; no GPU here
        cell = GRUCell(units, activation=activation, recurrent_activation=recurrent_activation,
                       use_bias=use_bias, reset_after=reset_after, dtype=dtype, **cell_kwargs)
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful=stateful, unroll=unroll,
                         name=name, dtype=dtype, trainable=trainable, input_shape=input_shape)

    def _run(self, sequences, states, mask, recurrent_mask, training=None):
        c = self.cell
        hs = ops.gru(sequences, c.kernel, c.recurrent_kernel, c.bias, states[0], mask, recurrent_mask,
                     activation=c.activation, recurrent_activation=c.recurrent_activation,
                     reset_after=c.reset_after, return_sequences=self.return_sequences)   # (batch, [time,] units)
        return (hs, [hs[:, -1]]) if self.return_sequences else (hs, [hs])


class RNN(_RNN):
    """Runs any cell over a sequence, one step at a time: the recurrent layer written plainly.

    A cell is one step: `output, new_states = cell.call(x_t, states)`. RNN
    loops it over the time axis, carrying the states. The tape records every
    step's ops, so backpropagation through time is the chain rule over the
    loop (slower than the fused SimpleRNN/LSTM/GRU layers, which give the same
    numbers for teachnet's cells).

    Formula:
        states = initial_state (zeros by default)
        for t in 0 .. time - 1:   output_t, states = cell(x_t, states)
        (at a masked step, output_t and states stay those of step t - 1)

    Args:
        cell: teachnet's SimpleRNNCell, LSTMCell or GRUCell, or your own: any
            object with `state_size` (an int, or a list of ints, one per
            state) and `call(inputs, states)` returning `(output, new_states)`.
            A Layer cell is built with `build((batch, features))` before the
            first step. Optional: `output_size` (else `state_size[0]`) and
            `get_initial_state(batch_size)` (else zeros).
        return_sequences: return every output `(batch, time, output_size)`
            instead of the last one `(batch, output_size)`.
        return_state: also return the final states: `[output, *states]`.
        go_backwards: read the sequence from its end (outputs in that order).
        stateful: carry the final states into the next call (see `reset_states`).
        zero_output_for_mask: with return_sequences, output 0 at masked steps
            (instead of the previous step's output).

    Call: `layer(sequences, initial_state=None, mask=None, training=None)`.

    Example:
        >>> class MinimalRNNCell(teachnet.layers.Layer):
        ...     def __init__(self, units):
        ...         super().__init__()
        ...         self.units, self.state_size = units, units
        ...     def build(self, input_shape):
        ...         self.kernel = self.add_weight((input_shape[-1], self.units))
        ...         self.recurrent_kernel = self.add_weight((self.units, self.units))
        ...     def call(self, inputs, states):
        ...         h = ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel)
        ...         return h, [h]
        >>> teachnet.layers.RNN(MinimalRNNCell(32))(np.zeros((4, 10, 5))).shape
        (4, 32)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            raise ValueError("RNN: a list of cells (Keras's StackedRNNCells) is not supported by teachnet. "
                             "Stack RNN layers instead, each but the last with return_sequences=True.")
        if not callable(getattr(cell, "call", None)):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell!r}")
        state_size = getattr(cell, "state_size", None)
        if state_size is None:
            raise ValueError("The RNN cell should have a `state_size` attribute (single integer or list of "
                             f"integers, one integer per RNN state). Received: cell={cell!r}")
        if not isinstance(state_size, (int, list, tuple)) or not all(
                isinstance(s, (int, np.integer)) for s in (state_size if isinstance(state_size, (list, tuple))
                                                           else [state_size])):
            raise ValueError("state_size must be an integer, or a list/tuple of integers (one for each state "
                             f"tensor). Received: state_size={state_size!r}")
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful=stateful, unroll=unroll,
                         zero_output_for_mask=zero_output_for_mask, **kwargs)

    @property
    def units(self):
        return getattr(self.cell, "units", self._state_sizes()[0])

    def build(self, input_shape):
        self._check_sequences(input_shape)
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((input_shape[0], input_shape[-1]))
            self.cell.built = True
        if self.stateful and input_shape[0] is not None and self.states is None:
            self.reset_states(batch_size=input_shape[0])
        self.built = True

    def _step(self, x_t, states, training):
        """One step of the cell: (output, new states as a list)."""
        cell_call = self.cell if isinstance(self.cell, Layer) else self.cell.call
        accepts_training = isinstance(self.cell, Layer) and "training" in _call_arguments(type(self.cell))
        output, new_states = cell_call(x_t, states, training=training) if accepts_training \
            else cell_call(x_t, states)
        return output, list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]

    def _run(self, sequences, states, mask, recurrent_mask, training=None):
        outputs, output = [], None
        for t in range(sequences.shape[1]):
            step_states = states
            if recurrent_mask is not None:       # recurrent dropout on h_{t-1}, as the fused ops do
                step_states = [states[0] * recurrent_mask] + states[1:]
            new_output, new_states = self._step(sequences[:, t], step_states, training)   # (batch, output_size)
            if mask is not None:                 # a masked step keeps the previous output and states
                keep = mask[:, t:t + 1]          # (batch, 1)
                previous = output if output is not None else ops.zeros_like(new_output)
                new_output = ops.where(keep, new_output, previous)
                new_states = [ops.where(keep, new, old) for new, old in zip(new_states, states)]
            output, states = new_output, new_states
            outputs.append(output)
        if self.return_sequences:
            return ops.stack(outputs, axis=1), states   # (batch, time, output_size)
        return output, states

    def get_config(self):
        # The cell itself, as Keras's config holds it (teachnet.saving serializes it).
        return {"name": self.name, "trainable": self.trainable, "dtype": str(self.dtype),
                "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": False, "zero_output_for_mask": self.zero_output_for_mask, "cell": self.cell}

    @classmethod
    def from_config(cls, config):
        # Layer's way (the cell comes back from its own config), not _RNN's flat cell arguments.
        from teachnet.saving.serialization import layer_from_config  # saving sits above layers
        return layer_from_config(cls, config)
