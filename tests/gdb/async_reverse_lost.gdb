monitor break-on polls 120
continue
monitor break-on off
monitor break-on lost-wake
monitor break-on polls 110
reverse-continue
monitor break-on off
monitor break-on lost-wake
reverse-continue
monitor break-on off
kill
