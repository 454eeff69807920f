monitor break-on lost-wake
continue
monitor break-on off
monitor break-on poll async_block#2
continue
