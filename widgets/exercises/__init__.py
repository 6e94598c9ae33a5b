"""Exercises for the lessons: a check function per exercise and its solution, one module per lesson.

A lesson ends with a few exercises. The learner writes an answer in a cell and calls `check("5.1", answer)`;
the answer is judged here, not in the notebook, so the notebooks hold no library code and the checks are
tested like the rest of the kit (tests/widgets/test_exercises.py). `show_solution("5.1")` reveals a worked
answer when the learner asks for it, and only then. Lesson NN's checks and solutions sit side by side in
`widgets/exercises/lessonNN.py`.

`check` never raises for a wrong answer: it returns a `Verdict` (true or false) that Jupyter shows as a
short coloured message with a hint.

Example:
    >>> from widgets.exercises import check, show_solution
    >>> check("1.1", 144)
    Correct! ...
    >>> show_solution("1.1")
"""
from widgets.exercises import (lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07,
                               lesson08, lesson09, lesson10, lesson11, lesson12)
from widgets.exercises._common import Solution, Verdict  # noqa: F401

LESSONS = [lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07, lesson08, lesson09,
           lesson10, lesson11, lesson12]
EXERCISES = {number: entry for lesson in LESSONS for number, entry in lesson.EXERCISES.items()}


def check(number, answer):
    """Judges the answer to exercise `number` (e.g. "5.1") and returns a `Verdict` that shows a short message.

    Args:
        number: the exercise's number as a string, "lesson.exercise".
        answer: what the exercise asks for: a number, a string, an array, a model, a function or a widget.
    """
    if number not in EXERCISES:
        raise ValueError(f"Unknown exercise {number!r}. Known exercises: {sorted(EXERCISES)}")
    judge, _ = EXERCISES[number]
    return judge(number, answer)


def show_solution(number):
    """A worked answer to exercise `number`, shown as Markdown. Try the exercise first!"""
    if number not in EXERCISES:
        raise ValueError(f"Unknown exercise {number!r}. Known exercises: {sorted(EXERCISES)}")
    return Solution(number, EXERCISES[number][1])
