"""Entity resolution: which business a record's mention (a name as people write it) means."""
