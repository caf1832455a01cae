"""The synthetic province: Anhui-shaped data with planted common causes and its ground truth."""
