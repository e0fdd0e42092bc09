"""DynamoDB tables in DocuFlow's own database, served to workflows as the
``arn:aws:states:::dynamodb:putItem|getItem|updateItem|deleteItem`` Task integrations.

Layout (functional core, imperative shell):

- ``types``: DynamoDB's typed JSON — validation, canonical form, equality, ordering.
- ``expressions``: tokenizer and recursive-descent parsers for update, condition and
  projection expressions (no ``eval``); ``evaluate`` applies them to an item.
- ``operations``: each call as a pure function of its parameters and the stored item.
- ``models``/``services``: tables per tenant, items keyed by their canonical key; each
  write is one transaction holding the item's row lock (``select_for_update``), and
  records the task attempt's idempotency key so a re-run attempt does not write twice.
- ``integrations``: registers the handlers; results carry Step Functions'
  ``SdkHttpMetadata``/``SdkResponseMetadata``; errors are ``DynamoDB.<Code>`` task errors.

Tables are created with ``docuflow dynamo create-table NAME --tenant SLUG
--partition-key NAME[:S|N|B] [--sort-key NAME[:S|N|B]]``, or by their first putItem.
A table created by putItem gets its key from the item's attribute *names*, never their
order (task input goes through PostgreSQL's jsonb, which does not keep it): the one
attribute named like an identifier (``id``, ``pk``, ``requestId``, ``order_id`` …, a
string, number or binary) is the partition key, with ``sk`` as sort key for a ``pk``;
when no single such attribute exists the putItem fails and asks for create-table.
"""
