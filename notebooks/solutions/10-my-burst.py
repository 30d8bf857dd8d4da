# Solution to 10 Check the kit against workerd, Exercise 1: a burst before an earlier timer.

from cfws_playground.fidelity import Scenario, timeout

mine = Scenario(
    "my-burst",
    "Three queued messages are delivered before a setTimeout(0) set before them.",
    (
        "watch",
        "a.accept()",
        "b.accept()",
        timeout(0, "a.readyState"),  # set first ...
        "a.send('1')",
        "a.send('2')",
        "a.send('3')",  # ... yet it runs after all three messages
    ),
)
