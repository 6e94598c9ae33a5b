"""Lesson 06, Keras and TensorFlow: the tape, the backends, moving weights between frameworks."""
from widgets.exercises._common import choice_exercise, name_exercise


EXERCISES = {
    "6.1": (name_exercise(["GradientTape"],
                           "tf.GradientTape records operations so that gradients can be computed.",
                           "Which TensorFlow class records operations for automatic differentiation?"),
            "`answer = \"tf.GradientTape\"`"),
    "6.2": (choice_exercise(["tensorflow", "tf", "jax", "torch", "pytorch", "openvino", "numpy"],
                           "Keras 3 hands its math to that backend.",
                           "Keras 3 runs on three big frameworks (and a couple more)."),
            "`answer = \"tensorflow\"` (or `\"jax\"`, `\"torch\"`; Keras 3 also has a NumPy backend for "
            "inference and an OpenVINO one)."),
    "6.3": (choice_exercise(["set_weights", "model.set_weights", "ours.set_weights"],
                           "ours.set_weights(theirs.get_weights()) copies every weight, in Keras's order.",
                           "One method reads the weights (get_...), its twin writes them."),
            "`answer = \"set_weights\"`, as in `ours.set_weights(theirs.get_weights())`."),
}
