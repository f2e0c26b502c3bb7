"""The ground floor every layer shares: settings, the record schema, text
helpers, language profiles and the offline switch. Imports nothing of the
project."""
