"""Worked topologies: small models that are graphs rather than stacks.

Each builder returns a functional model, and each has a data generator
(seeded numpy) whose targets need every part of the graph, so a lesson can
train the model in seconds and look at what each branch learned:

- `two_branch_model`: two inputs, each with its own branch, joined by
  `Concatenate` (`two_branch_data`);
- `multi_head_model`: one trunk, a regression head and a classification
  head, as named outputs with their own losses (`multi_head_data`);
- `inception_block_model`: parallel branches of different widths on the same
  input, concatenated, as in GoogLeNet's inception block (`inception_data`);
- `inception_conv_model`: the real thing on 8x8 digit images: 1x1, 3x3 and
  "5x5" (two 3x3) convolutions and a pooling branch (`inception_conv_data`).

Example:
    >>> model = teachnet.examples.multi_head_model()
    >>> model.compile(optimizer="adam",
    ...               loss={"price": "mse", "kind": "sparse_categorical_crossentropy"},
    ...               loss_weights={"price": 1.0, "kind": 0.5},
    ...               metrics={"kind": ["accuracy"]})
    >>> x, y = teachnet.examples.multi_head_data(512)
    >>> history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    >>> sorted(history.history)
    ['kind_accuracy', 'kind_loss', 'loss', 'price_loss']
"""
import numpy as np

from teachnet.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
from teachnet.layers import merge
from teachnet.datasets import load_digits
from teachnet.models.functional import Functional


def two_branch_model(measurement_features=4, category_count=6, name="two_branch"):
    """Two inputs, two branches, one decision.

    `measurements` (numbers) go through a Dense branch that can bend them;
    `category` (a one-hot vector) through a narrow one that learns a score
    per category. `Concatenate` joins the two, and a sigmoid unit decides.

        measurements (4) -> Dense(8, relu) --\\
                                             Concatenate -> Dense(8, relu) -> Dense(1, sigmoid) "decision"
        category (6)     -> Dense(2)      --/

    Args:
        measurement_features: width of the `measurements` input.
        category_count: width of the one-hot `category` input.
        name: the model's name.

    Returns:
        A model with inputs named "measurements" and "category", and one
        output "decision". Train with `loss="binary_crossentropy"`.
    """
    measurements = Input(shape=(measurement_features,), name="measurements")
    category = Input(shape=(category_count,), name="category")
    numbers = Dense(8, activation="relu", name="measurement_branch")(measurements)
    scores = Dense(2, name="category_branch")(category)
    joined = merge.Concatenate(name="join")([numbers, scores])
    hidden = Dense(8, activation="relu", name="combine")(joined)
    decision = Dense(1, activation="sigmoid", name="decision")(hidden)
    return Functional([measurements, category], decision, name=name)


def two_branch_data(n=512, measurement_features=4, category_count=6, seed=0):
    """Data for `two_branch_model`: the label needs both inputs.

    y = 1 when ||measurements|| - 1.5 plus a per-category offset is positive:
    the measurements alone cannot tell (the offset moves the boundary) and
    neither can the category.

    Returns:
        (x, y): x a dict {"measurements": (n, 4) float32, "category": (n, 6)
        one-hot float32}, y of shape (n, 1) with 0/1 labels.
    """
    rng = np.random.default_rng(seed)
    measurements = rng.normal(size=(n, measurement_features)).astype("float32")
    kind = rng.integers(0, category_count, size=n)
    offset = np.linspace(-1.0, 1.0, category_count)[kind]
    y = (np.linalg.norm(measurements, axis=1) - 1.5 - offset > 0).astype("float32")[:, None]
    category = np.eye(category_count, dtype="float32")[kind]
    return {"measurements": measurements, "category": category}, y


def multi_head_model(features=8, classes=3, name="multi_head"):
    """One trunk, two heads: a price (regression) and a kind (classification).

        features (8) -> Dense(32, relu) -> Dense(16, relu) "trunk" -> Dense(1) "price"
                                                                    -> Dense(3, softmax) "kind"

    The trunk's weights get gradients from both losses, weighted by
    `loss_weights`: a lesson can watch the two heads pull on the trunk.

    Returns:
        A model with outputs {"price": (None, 1), "kind": (None, 3)} named
        after their layers, so `loss={"price": "mse", "kind":
        "sparse_categorical_crossentropy"}` and History keys `price_loss`,
        `kind_loss`, `kind_accuracy`.
    """
    inputs = Input(shape=(features,), name="features")
    x = Dense(32, activation="relu", name="hidden")(inputs)
    trunk = Dense(16, activation="relu", name="trunk")(x)
    price = Dense(1, name="price")(trunk)
    kind = Dense(classes, activation="softmax", name="kind")(trunk)
    return Functional(inputs, {"price": price, "kind": kind}, name=name)


def multi_head_data(n=512, features=8, classes=3, seed=0):
    """Data for `multi_head_model`: both targets come from the same hidden factors.

    Two hidden factors u = x @ A (A fixed by the seed) decide both the price
    (a smooth function of u plus a little noise) and the kind (which third of
    the plane the angle of u falls in), so a shared trunk helps both heads.

    Returns:
        (x, y): x of shape (n, 8) float32, y a dict {"price": (n, 1)
        float32, "kind": (n,) int labels in [0, classes)}.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    u = x @ rng.normal(size=(features, 2)) / np.sqrt(features)
    price = (u[:, 0] ** 2 + np.sin(2 * u[:, 1]) + 0.05 * rng.normal(size=n)).astype("float32")[:, None]
    angle = np.arctan2(u[:, 1], u[:, 0]) + np.pi  # in [0, 2 pi]
    kind = np.minimum((angle / (2 * np.pi) * classes).astype("int64"), classes - 1)
    return x, {"price": price, "kind": kind}


def inception_block_model(features=16, classes=4, name="inception_block"):
    """An inception block on vectors: branches of different widths and depths
    look at the same input, and `Concatenate` stacks what they found.

        features (16) -> Dense(4, relu)                      "narrow"  --\\
                      -> Dense(8, relu) -> Dense(8, relu)     "deep"    ---> Concatenate (28) -> Dense(4, softmax)
                      -> Dense(16, relu)                     "wide"    --/

    It is GoogLeNet's idea (1x1, 3x3 and 5x5 convolutions side by side) with
    Dense branches in place of convolutions, so it trains on plain vectors.

    Returns:
        A model with one input "features" and one output "classes";
        train with `loss="sparse_categorical_crossentropy"`.
    """
    inputs = Input(shape=(features,), name="features")
    narrow = Dense(4, activation="relu", name="narrow")(inputs)
    deep = Dense(8, activation="relu", name="deep_1")(inputs)
    deep = Dense(8, activation="relu", name="deep_2")(deep)
    wide = Dense(16, activation="relu", name="wide")(inputs)
    joined = merge.Concatenate(name="branches")([narrow, deep, wide])
    outputs = Dense(classes, activation="softmax", name="classes")(joined)
    return Functional(inputs, outputs, name=name)


def inception_data(n=512, features=16, classes=4, seed=0):
    """Data for `inception_block_model`: Gaussian blobs, one per class, in 16-D.

    Returns:
        (x, y): x of shape (n, 16) float32, y of shape (n,) int labels.
    """
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=1.5, size=(classes, features))
    y = rng.integers(0, classes, size=n)
    x = (centers[y] + rng.normal(size=(n, features))).astype("float32")
    return x, y


def inception_conv_model(image_shape=(8, 8, 1), classes=10, name="inception_conv"):
    """GoogLeNet's inception block on small images: four branches look at the
    same image at different scales, and `Concatenate` stacks their channels.

        image (8, 8, 1) -> Conv 1x1 (8)                              "conv_1x1"  --\
                        -> Conv 1x1 (6) -> Conv 3x3 (8)              "conv_3x3"  ---\
                        -> Conv 1x1 (4) -> Conv 3x3 -> Conv 3x3 (4)  "conv_5x5"  ----> Concatenate (8, 8, 24)
                        -> MaxPool 3x3 -> Conv 1x1 (4)               "pool_proj" --/      -> Flatten
                                                                                          -> Dense(10, softmax)

    The 1x1 convolutions before the 3x3 ones shrink the channels first (cheap),
    and two stacked 3x3 convolutions see a 5x5 window with fewer weights than
    one 5x5 (as in Inception v2). "same" padding and stride 1 keep every
    branch at 8x8, so their channels can be concatenated.

    Returns:
        A model with input "image" and output "digit"; train with
        `loss="sparse_categorical_crossentropy"` on `inception_conv_data()`.
    """
    image = Input(shape=image_shape, name="image")
    one = Conv2D(8, 1, activation="relu", name="conv_1x1")(image)
    three = Conv2D(6, 1, activation="relu", name="reduce_3x3")(image)
    three = Conv2D(8, 3, padding="same", activation="relu", name="conv_3x3")(three)
    five = Conv2D(4, 1, activation="relu", name="reduce_5x5")(image)
    five = Conv2D(4, 3, padding="same", activation="relu", name="conv_5x5_a")(five)
    five = Conv2D(4, 3, padding="same", activation="relu", name="conv_5x5")(five)
    pool = MaxPooling2D(3, strides=1, padding="same", name="pool_3x3")(image)
    pool = Conv2D(4, 1, activation="relu", name="pool_proj")(pool)
    block = merge.Concatenate(name="inception")([one, three, five, pool])  # (None, 8, 8, 24)
    features = Flatten(name="flatten")(block)  # where the strokes are matters for digits: keep it
    digit = Dense(classes, activation="softmax", name="digit")(features)
    return Functional(image, digit, name=name)


def inception_conv_data(n=512, seed=0):
    """Data for `inception_conv_model`: the bundled 8x8 handwritten digits.

    Returns:
        (x, y): x of shape (n, 8, 8, 1) float32 in [0, 1], y of shape (n,)
        int labels 0..9; a seeded random choice of the 1,797 images.
    """
    (x_train, y_train), (x_test, y_test) = load_digits(test_split=0.0)
    pick = np.random.default_rng(seed).permutation(len(x_train))[:n]
    return (x_train[pick, :, :, None] / 16.0).astype("float32"), y_train[pick].astype("int64")
