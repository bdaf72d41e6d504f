"""Small data shipped with sdsclip (installed as the `sdsclip_data` package): reference lists, prompts, class names."""
