"""Approvals: human tasks (inbox, claims, decisions, escalation), certification requests
(seed 000) and the e-mails with signed approve/reject links.

Entry points for other apps: ``services.decide(actor, task, decision, notes_or_reason)``
(one transaction with the workflow), ``subjects.register_subject`` (describe a subject,
react to decisions and withdrawals), and the engine resources registered in
``handlers`` (``docuflow-human-task``, ``sqs:sendMessage``).
"""
