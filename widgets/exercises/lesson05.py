"""Lesson 05, training: a loss the tape can differentiate, an update by hand, a trained classifier."""
import numpy as np

from widgets.exercises._common import (Verdict, as_number, callable_exercise, loss_function_test, model_exercise,
                                       numeric_exercise)


def _outputs_logits(model):
    """Whether the model was compiled with a loss that reads logits (`from_logits=True`)."""
    from teachnet import losses
    loss = model.loss[0] if isinstance(model.loss, (list, tuple)) and model.loss else model.loss
    try:
        loss = losses.get(loss)
    except (ValueError, TypeError):
        return False
    return bool(getattr(loss, "_fn_kwargs", {}).get("from_logits", False))


def _test_cloud_classifier(model):
    from teachnet.datasets import gaussian_clouds
    x, y = gaussian_clouds(samples_per_class=500, seed=123)
    scores = np.asarray(model.predict(x, verbose=0))
    labels = y.reshape(-1) > 0.5
    if scores.ndim == 2 and scores.shape[1] == 2:  # two class scores (softmax or logits): the larger wins
        predicted = scores.argmax(axis=1) == 1
    elif scores.size == len(x):                    # one score per point: a probability, or a logit
        predicted = scores.reshape(-1) > (0.0 if _outputs_logits(model) else 0.5)
    else:
        return False, (f"Expected one score per point (output shape (n, 1)) or two class scores (n, 2). "
                       f"Received: output shape {scores.shape[1:]}")
    accuracy = np.mean(predicted == labels)
    return accuracy >= 0.95, (f"Accuracy on fresh points: {accuracy:.3f}; expected at least 0.95. "
                              "Train longer, or use a sigmoid output with binary_crossentropy.")


def _largest_stable_rate():
    """Full-batch gradient descent on the mean squared error of a linear model is stable below 2 / (the largest
    eigenvalue of the loss's Hessian), which for this loss is 2 / n [X 1]^T [X 1]."""
    from teachnet.datasets import gaussian_clouds
    x, _ = gaussian_clouds(samples_per_class=1000, seed=0)
    design = np.hstack([x, np.ones((len(x), 1))]).astype("float64")   # (2000, 3): the inputs and the bias's 1
    return 2.0 / np.linalg.eigvalsh(2.0 * design.T @ design / len(x)).max()


def _check_breaking_rate(number, answer):
    rate = as_number(answer)
    if rate is None or not rate > 0:
        return Verdict(number, False, f"Expected a positive learning rate. Received: {answer!r}")
    limit = _largest_stable_rate()
    if rate > limit:
        return Verdict(number, False, f"At {rate:g} the loss grows without bound (the limit is below that): "
                                      "run last_loss at your rate and look at the number it returns.")
    if rate < 0.85 * limit:
        return Verdict(number, False, f"{rate:g} still trains, but a larger rate does too: keep raising it until "
                                      "the loss explodes, then step back.")
    return Verdict(number, True, f"The limit is {limit:.4f}: 2 divided by the loss's largest curvature. Past it, "
                                 "every step overshoots more than the last (lesson 4's ravine, in three dimensions).")


EXERCISES = {
    "5.1": (callable_exercise(loss_function_test(lambda t, p: np.mean((t - p) ** 2), "the mean squared difference",
                                                 returns="the mean of the squared differences"),
                              "Right value, and the tape can differentiate it.", ""),
            "```python\ndef my_square_loss(targets, predictions):\n"
            "    return ops.mean(ops.square(targets - predictions))\n```"),
    "5.2": (numeric_exercise(1.95, "2.0 - 0.1 * 0.5 = 1.95: one small step against the gradient.",
                              "new weight = weight - learning_rate * gradient"),
            "```python\nanswer = 2.0 - 0.1 * 0.5   # 1.95\n```"),
    "5.3": (model_exercise(_test_cloud_classifier, "Over 95% on fresh points.", ""),
            "```python\nanswer = tn.Sequential([tn.Input(shape=(2,)), tn.layers.Dense(1, activation=\"sigmoid\")])\n"
            "answer.compile(optimizer=\"rmsprop\", loss=\"binary_crossentropy\", metrics=[\"accuracy\"])\n"
            "answer.fit(inputs, targets, epochs=10, batch_size=32, verbose=0)\n```"),
    "5.4": (_check_breaking_rate,
            "`answer = 0.14`. `last_loss(0.14)` is small, `last_loss(0.15)` is huge. The exact limit is 2 / "
            "(largest eigenvalue of the Hessian `2/n [X 1]^T [X 1]`) = 0.1446: along the steepest direction each "
            "step multiplies the error by `1 - rate * curvature`, which exceeds 1 in size past that rate."),
}
