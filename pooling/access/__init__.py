"""Sign-in protection: django-axes locks a username after repeated wrong passwords (on the
login page and over the API's HTTP Basic), says in Chinese when to try again, writes the
lockout to the audit log, and lets an administrator see and lift it in the admin."""
