"""Legal accuracy: the customer's rights the scenarios rely on, and statements that contradict them."""
