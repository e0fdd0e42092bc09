"""The Step Functions-compatible API: AWS JSON 1.0 protocol, SigV4 access keys."""
