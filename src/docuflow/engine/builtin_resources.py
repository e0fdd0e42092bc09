"""Handlers that ship with the engine: ``docuflow-echo`` returns what it is given."""

from docuflow.engine.resources import register_function

register_function("docuflow-echo", lambda payload, ctx: payload)
