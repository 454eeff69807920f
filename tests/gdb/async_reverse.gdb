monitor break-on polls 120
continue
monitor break-on off
monitor break-on polls 100
reverse-continue
monitor break-on off
monitor break-on wake 1
reverse-continue
monitor break-on off
monitor break-on pending lost
reverse-continue
monitor break-on off
monitor break-on poll 1
reverse-continue
monitor break-on off
monitor break-on polls 100
continue
monitor break-on off
monitor break-on polls 130
continue
monitor break-on off
kill
