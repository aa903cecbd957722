# The shaped-link browser test (tests/e2e/meeting_bandwidth.test.mjs): what the subscriber
# decoded and received while its link was shaped to 400 kbit/s. gnuplot shaped-link.gp
set terminal svg size 760,360 dynamic font "sans,11"
set output 'shaped-link.svg'
set datafile separator ','
set key top right
set xlabel 'seconds'
set ylabel 'received kbit/s'
set y2label 'decoded width (px)'
set y2tics (320, 640, 1280)
set ytics nomirror
set yrange [0:1500]
set y2range [0:1500]
set arrow from 4.02, graph 0 to 4.02, graph 1 nohead dt 2
set arrow from 18.54, graph 0 to 18.54, graph 1 nohead dt 2
set label 'shaped to 400 kbit/s' at 4.3, 1420
set label 'limit lifted' at 18.8, 1420
plot 'shaped-link.csv' every ::1 using ($1/1000):3 with lines lw 2 title 'received kbit/s', \
     '' every ::1 using ($1/1000):2 axes x1y2 with steps lw 2 title 'decoded width'
