"""一户一档: one dynamic file per business — registration, subjects, timeline, relations, lists."""
