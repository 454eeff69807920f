monitor break-on poll 1
monitor break-on
kill
