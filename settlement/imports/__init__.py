"""Claims by file (批量结算): a month's visits with their fee lines, through the one import workflow."""
