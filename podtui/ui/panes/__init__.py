"""The pod detail panes, one module each: a pure `render(record, now, ...) -> Content`
(tested on its own) and the Pane widget that shows it."""
