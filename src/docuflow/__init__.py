"""DocuFlow: self-hostable document approval platform."""
