"""`model.summary()`: Keras 3's table of layers, output shapes and parameter counts."""


def readable_memory_size(num_bytes):
    """1630200 -> "1.55 MB", as Keras prints sizes."""
    for unit in ["B", "KB", "MB", "GB", "TB"]:
        if num_bytes / 1024 < 1:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.2f} PB"


def shape_text(shape):
    """A shape as Keras prints it: `(None, 3)`, `(None,)`, a list of shapes in brackets, `?` when unknown
    (`model.summary()` and `plot_model` write shapes this way)."""
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(shape_text(s) for s in shape) + "]"
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def params_text(layer):
    if not layer.built:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def print_summary(model, rows, headers=("Layer (type)", "Output Shape", "Param #"), widths=(31, 22, 13),
                  right_aligned=(2,), print_fn=None):
    """Draws Keras 3's summary table (box-drawing characters, no colours).

    Args:
        rows: one tuple of strings per layer, one string per column.
        widths: the minimal text width of each column (widened to fit).
        right_aligned: the columns aligned to the right (Param #).
    """
    widths = [max([w, len(h)] + [len(r[i]) for r in rows]) for i, (w, h) in enumerate(zip(widths, headers))]

    def line(cells, sep):
        text = [c.rjust(w) if i in right_aligned else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return sep + sep.join(f" {t} " for t in text) + sep

    def rule(left, mid, right, fill):
        return left + mid.join(fill * (w + 2) for w in widths) + right

    out = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━"), line(headers, "┃"), rule("┡", "╇", "┩", "━")]
    for i, row in enumerate(rows):
        out.append(line(row, "│"))
        out.append(rule("├", "┼", "┤", "─") if i < len(rows) - 1 else rule("└", "┴", "┘", "─"))
    if not rows:
        out.append(rule("└", "┴", "┘", "─"))
    trainable = model.trainable_weights if model.built else []
    trainable_ids = {id(w) for w in trainable}
    others = [w for w in model.weights if id(w) not in trainable_ids] if model.built else []

    def total(ws):
        return f"{sum(w.size for w in ws):,} ({readable_memory_size(sum(w.size * w.dtype.itemsize for w in ws))})"
    out += [f" Total params: {total(trainable + others)}", f" Trainable params: {total(trainable)}",
            f" Non-trainable params: {total(others)}"]
    text = "\n".join(out) + "\n"
    if print_fn is None:
        print(text, end="")
    else:
        print_fn(text)
