"""Argument names from Keras 1 and 2 that Keras 3 renamed or removed.

Code copied from older books and posts still uses them (`Adam(lr=0.01)`,
`Dense(64, init="uniform")`); Keras 3 answers with "unrecognized argument".
teachnet refuses them too, but names the spelling to use instead.
"""

# old argument -> (the Keras 3 argument, the Keras version that last had the old name)
RENAMED = {
    # optimizers (Keras 2 accepted `lr` with a deprecation warning)
    "lr": ("learning_rate", "2"),
    # layers (Keras 1 -> 2)
    "output_dim": ("units", "1"),
    "init": ("kernel_initializer", "1"),
    "inner_init": ("recurrent_initializer", "1"),
    "inner_activation": ("recurrent_activation", "1"),
    "W_regularizer": ("kernel_regularizer", "1"),
    "U_regularizer": ("recurrent_regularizer", "1"),
    "b_regularizer": ("bias_regularizer", "1"),
    "W_constraint": ("kernel_constraint", "1"),
    "U_constraint": ("recurrent_constraint", "1"),
    "b_constraint": ("bias_constraint", "1"),
    "bias": ("use_bias", "1"),
    "nb_filter": ("filters", "1"),
    "filter_length": ("kernel_size", "1"),
    "nb_row": ("kernel_size", "1"),
    "nb_col": ("kernel_size", "1"),
    "border_mode": ("padding", "1"),
    "subsample": ("strides", "1"),
    "subsample_length": ("strides", "1"),
    "pool_length": ("pool_size", "1"),
    "dim_ordering": ("data_format", "1"),
    "dropout_W": ("dropout", "1"),
    "dropout_U": ("recurrent_dropout", "1"),
    "p": ("rate", "1"),
    # the functional Model (Keras 1's Model(input=..., output=...))
    "input": ("inputs", "1"),
    "output": ("outputs", "1"),
    # callbacks (Keras 2)
    "period": ("save_freq", "2"),
}


def hint(names):
    """For the old Keras names among `names`, the names to use instead, as a
    sentence to append to an "unexpected argument" error ("" when none is old)."""
    hints = [f"`{name}` is now `{RENAMED[name][0]}` (`{name}` is its Keras {RENAMED[name][1]} name)"
             for name in sorted(names) if name in RENAMED]
    if not hints:
        return ""
    text = " " + "; ".join(hints) + "."
    if "period" in names:
        text += " save_freq counts batches: to save every n epochs, pass save_freq=n * steps_per_epoch."
    return text
