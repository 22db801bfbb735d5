"""The flow designer: editing with undo, the flow tree, palette, inspector, XML view, problems."""
