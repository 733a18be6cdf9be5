"""Private ICS subscription feeds: building RFC 5545, feed tokens, the feed and sync pages."""
