// placeholder entry; the UI lands with the browser issue
