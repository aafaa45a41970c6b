"""Where a run writes and what it reads: production or a person's sandbox (``TAILOR_ENV``,
``TAILOR_USER``), sample mode (``TAILOR_SAMPLE``), and the one spelling of a sandbox's name.
Read from the environment when a run executes. May import only the root modules.
"""
